from datetime import timedelta

from django.utils import timezone

from articles.services import appeal_record_donation

from .conftest import make_appeal, make_article, visible_text


def test_it_leads_with_the_newest_story_and_lists_the_rest(client, db):
    older = make_article(headline="Older story", published_at=timezone.now() - timedelta(days=2))
    newest = make_article(
        headline="Newest story", published_at=timezone.now() - timedelta(hours=1)
    )
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["lead"] == newest
    assert list(response.context["latest"]) == [older]
    text = visible_text(response.content.decode())
    assert text.index("Lead story Newest story") < text.index("Latest Older story")


def test_it_has_sections_for_the_most_used_topics(client, db):
    for n in range(3):
        make_article(headline=f"Iraq story {n}").tags.add("Iraq")
    make_article(headline="Syria story").tags.add("Syria")
    response = client.get("/")
    sections = response.context["sections"]
    assert [tag.name for tag, _ in sections] == ["Iraq", "Syria"]
    assert len(sections[0][1]) == 3
    assert 'href="/topics/iraq/"' in response.content.decode()
    text = visible_text(response.content.decode())
    assert "Iraq 3 recent articles" in text
    assert "Syria 1 recent article " in text


def test_later_pages_list_articles_without_a_lead_or_sections(client, db):
    for _ in range(25):
        make_article().tags.add("Iraq")
    response = client.get("/?page=2")
    assert response.status_code == 200
    assert response.context["lead"] is None
    assert response.context["sections"] == []
    assert len(response.context["latest"]) == 5


def test_a_nonsense_page_number_gets_a_normal_page(client, db):
    make_article()
    for page in ["abc", "-1", "999999"]:
        assert client.get(f"/?page={page}").status_code == 200


def test_it_says_so_when_there_are_no_articles(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "No articles yet." in visible_text(response.content.decode())


def test_it_shows_the_appeal_box_fresh_after_a_donation(client, db):
    appeal = make_appeal(is_active=True)
    appeal_record_donation(appeal=appeal, amount=671)
    assert 'width="13.42%"' in client.get("/").content.decode()
    appeal_record_donation(appeal=appeal, amount=329)
    assert 'width="20.00%"' in client.get("/").content.decode()
