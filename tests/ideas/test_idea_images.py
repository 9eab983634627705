"""An idea may come with a picture (a contest's media, an election's candidate): validated
and re-encoded, shown on the idea page, in the campaign's list and on the ballot."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ideas.models import Idea
from tests.factories import CampaignFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png(size=(300, 200), image_format="PNG", name="my sketch.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (20, 120, 60))
    image.save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_an_idea_with_a_picture_shows_it_everywhere(client):
    campaign = CampaignFactory()
    client.force_login(UserFactory())

    response = client.post(
        f"/campaigns/{campaign.slug}/ideas/new/",
        {"title": "A green logo", "body": "Leaves and a bike.", "image": png()},
    )

    assert response.status_code == 302
    idea = Idea.objects.get()
    assert idea.image.name.startswith("ideas/") and idea.image.name.endswith(".png")
    assert "my sketch" not in idea.image.name  # stored under a random name
    with Image.open(idea.image.path) as stored:
        assert (stored.format, stored.size) == ("PNG", (300, 200))
    assert f'src="{idea.image.url}"' in client.get(idea.get_absolute_url()).content.decode()
    assert f'src="{idea.image.url}"' in client.get(campaign.get_absolute_url()).content.decode()
    assert client.get(idea.image.url).status_code == 200


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("x.png", b"not an image", content_type="image/png"),
         "This file is not an image we can read (JPEG, PNG or WebP)."),
        (png(image_format="GIF", name="x.gif"), "Upload a JPEG, PNG or WebP image."),
    ],
)  # fmt: skip
def test_a_bad_picture_is_a_field_error_and_nothing_is_saved(client, upload, message):
    campaign = CampaignFactory()
    client.force_login(UserFactory())

    response = client.post(
        f"/campaigns/{campaign.slug}/ideas/new/",
        {"title": "A green logo", "body": "Leaves.", "image": upload},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["image"] == [message]
    assert Idea.objects.count() == 0


def test_a_candidates_picture_is_on_the_ballot(client):
    campaign = CampaignFactory(voting_method="single")
    candidate = IdeaFactory(campaign=campaign, is_candidate=True, image=png())
    IdeaFactory(campaign=campaign)
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert f'<img class="idea__thumbnail" src="{candidate.image.url}"' in page
