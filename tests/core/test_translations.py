from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "fr" / "LC_MESSAGES"


def test_every_french_entry_is_translated_and_compiled():
    po = polib.pofile(str(LOCALE / "django.po"))
    untranslated = [entry.msgid for entry in po if not entry.translated()]
    assert untranslated == []
    assert [entry for entry in po if "fuzzy" in entry.flags] == []
    compiled = {entry.msgid: entry for entry in polib.mofile(str(LOCALE / "django.mo"))}
    for entry in po:
        assert entry.msgid in compiled, f"run `make messages`: {entry.msgid!r} is not compiled"
        if not entry.msgid_plural:
            assert compiled[entry.msgid].msgstr == entry.msgstr


@pytest.mark.django_db
def test_pages_speak_french_to_a_french_browser(client):
    from tests.factories import CampaignFactory, IdeaFactory

    campaign = CampaignFactory()
    IdeaFactory(campaign=campaign)
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Campagnes en cours" in home and 'lang="fr"' in home
    page = client.get(f"/campaigns/{campaign.slug}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Ouverte aux idées et aux votes" in page
    assert "Voter pour" in page


@pytest.mark.django_db
def test_a_notification_is_rendered_in_the_readers_language():
    from django.utils.translation import override

    from notifications.models import Notification

    notification = Notification(kind="vote_milestone", params={"title": "Vélos", "count": 10})
    with override("fr"):
        assert notification.message == "Votre idée « Vélos » a atteint 10 votes."
    with override("en"):
        assert notification.message == "Your idea “Vélos” reached 10 votes."
