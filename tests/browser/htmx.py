"""Waiting for htmx in browser tests."""


def fill_when_bound(locator, text: str) -> None:
    """Fill a field that htmx listens to, once htmx has bound it. htmx is loaded with
    `defer` and binds swapped-in content as it settles: a field filled a moment too early
    fires its `input` event before anyone listens, and the live preview never comes."""
    locator.wait_for()
    locator.page.wait_for_function(
        "el => Boolean(el['htmx-internal-data'] && el['htmx-internal-data'].initHash)",
        arg=locator.element_handle(),
    )
    locator.fill(text)
