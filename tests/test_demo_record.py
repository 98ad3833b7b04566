"""The demonstration's record of the Tsaghkadzor roundtable (issue 8): outcomes, recommendations
across the roadmap, an approved and published joint statement, the press release, coverage and a
published summary."""

from sqlalchemy import func, select

from app import demo
from app.events.models import Event
from app.outcomes.models import Outcome
from app.press.models import MediaCoverage, PressItem, PressKind, PressStatus
from app.recommendations.models import Recommendation, RecommendationArea
from app.summaries.models import EventSummary


def test_the_demo_records_what_the_roundtable_left_behind(db):
    demo.load(db)
    event = db.scalar(select(Event).where(Event.title == "Peace Bridge bilateral roundtable"))

    outcomes = db.scalar(select(func.count()).select_from(Outcome))
    recommendations = list(db.scalars(select(Recommendation).where(Recommendation.event_id == event.id)))
    statement = db.scalar(select(PressItem).where(PressItem.kind == PressKind.JOINT_STATEMENT))
    coverage = db.scalar(select(func.count()).select_from(MediaCoverage).where(MediaCoverage.event_id == event.id))
    summary = db.scalar(select(EventSummary).where(EventSummary.event_id == event.id))

    assert outcomes == len(demo.OUTCOMES)
    assert {r.area for r in recommendations} == set(RecommendationArea)
    assert len({r.phase_id for r in recommendations}) == 3
    assert statement.status == PressStatus.PUBLISHED
    assert coverage == len(demo.COVERAGE)
    assert summary.published_at is not None and summary.introduction
