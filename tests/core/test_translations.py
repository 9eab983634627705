from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "fr" / "LC_MESSAGES"


def test_every_french_entry_is_translated_and_compiled():
    po = polib.pofile(str(LOCALE / "django.po"))
    untranslated = [entry.msgid for entry in po if not entry.translated()]
    assert untranslated == []
    assert [entry for entry in po if "fuzzy" in entry.flags] == []
    # Keyed by context too: "revoked" (a date column) and pgettext("API token status",
    # "revoked") are two entries with two translations.
    compiled = {
        (entry.msgctxt, entry.msgid): entry for entry in polib.mofile(str(LOCALE / "django.mo"))
    }
    for entry in po:
        key = (entry.msgctxt, entry.msgid)
        assert key in compiled, f"run `make messages`: {entry.msgid!r} is not compiled"
        if not entry.msgid_plural:
            assert compiled[key].msgstr == entry.msgstr


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


FOULE_APPS = ("accounts", "campaigns", "core", "ideas", "notifications", "rewards", "voting")


def test_every_field_of_foules_models_has_a_translated_label():
    """The admin's columns, filters and forms are labelled by the fields' verbose names: one
    without a lazy translation shows its English name to French moderators."""
    from django.apps import apps
    from django.utils.functional import Promise

    untranslated = [
        f"{model.__name__}.{field.name}"
        for app_label in FOULE_APPS
        for model in apps.get_app_config(app_label).get_models()
        for field in model._meta.get_fields()
        if (field.concrete or field.many_to_many)
        and not field.auto_created
        and not isinstance(field.verbose_name, Promise)
    ]
    assert untranslated == []


def test_every_admin_column_filter_and_field_has_a_translated_label():
    from django.contrib import admin
    from django.contrib.admin.utils import get_fields_from_path, label_for_field
    from django.utils.functional import Promise

    untranslated = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in FOULE_APPS:
            continue
        inlines = [inline(model, admin.site) for inline in model_admin.inlines]
        for shown in (model_admin, *inlines):
            names = {*shown.readonly_fields, *(shown.fields or ())}
            names |= set(getattr(shown, "list_display", ()))
            names |= set(getattr(shown, "moderator_list_display", ()))
            for list_filter in getattr(shown, "list_filter", ()):
                names.add(list_filter[0] if isinstance(list_filter, tuple) else list_filter)
            declared = getattr(shown.form, "declared_fields", {})
            for name in sorted(n for n in names if isinstance(n, str) and n != "__str__"):
                if name in declared:
                    label = declared[name].label
                elif "__" in name:
                    label = get_fields_from_path(shown.model, name)[-1].verbose_name
                else:
                    label = label_for_field(name, shown.model, shown)
                if not isinstance(label, Promise):
                    untranslated.append(f"{type(shown).__name__}.{name}: {label}")
    assert untranslated == []


@pytest.mark.django_db
def test_the_admin_speaks_french_to_a_french_moderator(admin_client):
    from django.urls import reverse

    from tests.factories import IdeaFactory

    IdeaFactory(title="Des vélos partout")
    page = admin_client.get(
        reverse("admin:ideas_idea_changelist"), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Des vélos partout" in page
    for header in ("Titre", "Campagne", "Auteur", "Statut", "Score", "Date de création"):
        assert f">{header}</a>" in page, header
    assert "Created at" not in page and ">Author</a>" not in page
