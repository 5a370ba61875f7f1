from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from articles import services
from articles.models import (
    Article,
    Donation,
    DonationAppeal,
    Organisation,
    OrganisationTag,
    Quote,
    TopicTag,
)

from .conftest import make_appeal, make_article, make_organisation, make_quote


@pytest.mark.django_db
class TestMoney:
    def test_it_sums_donations_exactly(self):
        appeal = make_appeal()
        for _ in range(10):
            services.appeal_record_donation(appeal=appeal, amount=Decimal("0.10"))
        raised = DonationAppeal.objects.with_raised().get(pk=appeal.pk).raised
        assert raised == Decimal("1.00")
        assert isinstance(raised, Decimal)

    def test_it_stores_minor_units_as_integers(self):
        appeal = make_appeal(goal=Decimal("5000"))
        assert DonationAppeal.objects.filter(pk=appeal.pk).values_list(
            "goal", flat=True
        ).get() == (Decimal("5000.00"))
        with connection.cursor() as cursor:
            cursor.execute("SELECT goal FROM articles_donationappeal WHERE id = %s", [appeal.pk])
            assert cursor.fetchone()[0] == 500000

    def test_it_refuses_fractions_of_a_cent(self):
        appeal = make_appeal()
        with pytest.raises(ValueError):
            Donation.objects.create(appeal=appeal, amount=Decimal("1.005"))


@pytest.mark.django_db
class TestConstraints:
    def test_the_database_refuses_a_negative_donation(self):
        appeal = make_appeal()
        with pytest.raises(IntegrityError), transaction.atomic():
            Donation.objects.create(appeal=appeal, amount=Decimal("-5"))

    def test_the_database_refuses_a_goal_of_zero(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            make_appeal(goal=Decimal("0"))

    def test_only_one_appeal_can_be_active(self):
        make_appeal(is_active=True)
        with pytest.raises(IntegrityError), transaction.atomic():
            make_appeal(is_active=True, campaign_month=date(2021, 4, 1))

    def test_a_published_article_needs_a_date(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            make_article(status=Article.Status.PUBLISHED, published_at=None)

    def test_a_quote_needs_a_speaker(self):
        article = make_article()
        with pytest.raises(IntegrityError), transaction.atomic():
            Quote.objects.create(article=article, text="Words", paragraph=1)

    def test_organisation_names_are_unique(self):
        make_organisation(name="ISIS")
        with pytest.raises(IntegrityError), transaction.atomic():
            Organisation.objects.create(name="ISIS", slug="isis-2")

    def test_full_clean_explains_a_negative_donation(self):
        donation = Donation(appeal=make_appeal(), amount=Decimal("-1"))
        with pytest.raises(ValidationError) as error:
            donation.full_clean()
        assert "amount" in error.value.message_dict


@pytest.mark.django_db
class TestAppeal:
    def test_it_reports_progress_like_the_seed(self):
        appeal = make_appeal(goal=Decimal("5000"))
        services.appeal_record_donation(appeal=appeal, amount=Decimal("671"))
        assert appeal.raised_display == "671 $"
        assert appeal.goal_display == "5,000 $"
        assert appeal.percent == Decimal("13.42")
        assert appeal.percent_rounded == 13
        assert [t.label for t in appeal.ticks] == ["0 $", "2,500 $", "5,000 $"]
        assert not appeal.is_goal_reached

    def test_it_clamps_the_bar_above_the_goal(self):
        appeal = make_appeal(goal=Decimal("100"))
        services.appeal_record_donation(appeal=appeal, amount=Decimal("250"))
        assert appeal.percent == Decimal("100.00")
        assert appeal.is_goal_reached

    def test_it_prints_the_symbol_first_when_asked(self):
        appeal = make_appeal(symbol_after_amount=False, currency_symbol="£")
        assert appeal.format_amount(Decimal("1234.50")) == "£1,234.50"

    def test_it_stores_the_campaign_month_as_its_first_day(self):
        appeal = make_appeal(campaign_month=date(2021, 3, 17))
        assert appeal.campaign_month == date(2021, 3, 1)
        assert str(appeal) == "Do you like this content? Consider helping us! (March 2021)"

    def test_the_current_appeal_is_the_active_one(self):
        make_appeal(campaign_month=date(2021, 2, 1))
        active = make_appeal(is_active=True)
        assert DonationAppeal.objects.current() == active


@pytest.mark.django_db
class TestArticle:
    def test_it_fills_its_slug_from_the_headline(self):
        article = make_article(headline="Rockets hit Camp Taji")
        assert article.slug == "rockets-hit-camp-taji"
        assert article.get_absolute_url() == "/articles/rockets-hit-camp-taji/"
        assert str(article) == "Rockets hit Camp Taji"

    def test_it_keeps_a_unicode_slug(self):
        article = make_article(headline="Ирак: базы закрываются")
        assert article.slug == "ирак-базы-закрываются"

    def test_published_hides_drafts_and_scheduled_articles(self):
        visible = make_article()
        make_article(status=Article.Status.DRAFT)
        make_article(status=Article.Status.IN_REVIEW)
        make_article(published_at=timezone.now() + timedelta(hours=1))
        assert list(Article.objects.published()) == [visible]

    def test_it_strips_html_an_editor_should_not_write(self):
        article = make_article(
            paragraphs=[
                'Safe <em>emphasis</em> and <a href="https://example.org">a link</a>'
                '<script>alert(1)</script><a href="javascript:alert(2)">bad</a>'
                '<img src=x onerror="alert(3)">'
            ]
        )
        html = str(article.body_blocks()[0].html[0])
        assert "<em>emphasis</em>" in html
        assert 'href="https://example.org"' in html
        assert "<script" not in html and "javascript:" not in html and "onerror" not in html

    def test_it_renders_a_multi_paragraph_quote_as_one_block(self):
        speaker = make_organisation(name="The Ministry")
        article = make_article(
            paragraphs=[
                "Intro.",
                "“First part,” the ministry said.",
                "“Second part.”",
                "Outro.",
            ]
        )
        make_quote(
            article,
            organisation=speaker,
            text="First part,\n\nSecond part.",
            attribution="the ministry said",
            paragraph=2,
            paragraph_count=2,
        )
        blocks = article.body_blocks()
        assert [len(b.html) for b in blocks] == [1, 2, 1]
        assert blocks[1].cited_inline
        assert '<cite><a href="/organisations/the-ministry/">the ministry said</a></cite>' in str(
            blocks[1].html[0]
        )

    def test_removing_a_mark_removes_its_quote(self):
        article = make_article(paragraphs=["“We will stay,” a spokesman said."])
        make_quote(article, text="We will stay", source="A spokesman")
        assert article.quotes.get().text == "We will stay"
        article.body = "“We will leave,” a spokesman said."
        article.save()
        services.article_index_quotes(article=article)
        assert not article.quotes.exists()

    def test_an_index_row_pointing_past_the_body_is_shown_as_plain_paragraphs(self):
        article = make_article(paragraphs=["Only one paragraph."])
        make_quote(article, paragraph=1)
        article.quotes.update(paragraph=5, is_statement=True)  # an index out of step
        blocks = article.body_blocks()
        assert len(blocks) == 1 and blocks[0].quote is None


@pytest.mark.django_db
class TestOrganisation:
    def test_it_lists_its_aliases(self):
        isis = make_organisation(name="ISIS", aliases="Daesh\n\n  Islamic State \n")
        assert isis.alias_list == ["Daesh", "Islamic State"]
        assert isis.names == ["ISIS", "Daesh", "Islamic State"]
        assert isis.get_absolute_url() == "/organisations/isis/"

    def test_its_tags_are_separate_from_article_topics(self):
        isis = make_organisation(name="ISIS")
        isis.tags.add("Iraq")
        article = make_article()
        article.tags.add("Iraq")
        assert OrganisationTag.objects.get().name == "Iraq"
        assert TopicTag.objects.get().name == "Iraq"
        assert list(isis.tags.names()) == ["Iraq"]

    def test_tags_differing_only_in_case_are_one_tag(self):
        isis = make_organisation(name="ISIS")
        isis.tags.add("Iraq")
        other = make_organisation()
        other.tags.add("iraq")
        assert OrganisationTag.objects.count() == 1
