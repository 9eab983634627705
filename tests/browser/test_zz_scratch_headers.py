import pytest

pytestmark = pytest.mark.browser


def test_console(live_server, page):
    messages = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    page.goto(f"{live_server.url}/accounts/login/")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_load_state("networkidle")
    print("CONSOLE", messages)
