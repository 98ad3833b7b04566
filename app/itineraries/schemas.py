"""The itinerary in the API, and the forms of the delegate's feed buttons."""

from datetime import date, datetime

from pydantic import BaseModel, Field

from app.agenda.models import SessionKind, SpeakerRole
from app.crossings.models import CrossingDirection
from app.forms import Form
from app.i18n import _
from app.itineraries.service import Entry, Itinerary

ID_MAX = 2**31 - 1


def no_registration_text() -> str:
    return _("You have no registrations yet: an itinerary is made once you are registered for an event.")


class FeedForm(Form):
    """POST /me/itinerary/feed and /me/itinerary/feed/revoke: whose feed (one's own)."""

    registration_id: int = Field(ge=1, le=ID_MAX)


class CrossingRead(BaseModel):
    direction: CrossingDirection
    crossing_point: str
    planned_at: datetime  # event's zone
    meeting_point: str
    meeting_at: datetime | None  # event's zone


class SpeakerRead(BaseModel):
    name: str
    role: SpeakerRole
    affiliation: str


class EntryRead(BaseModel):
    key: str
    uid: str
    type: str  # "session" or "crossing"
    title: str
    kind: SessionKind | None
    starts_at: datetime  # event's zone, with its offset
    ends_at: datetime
    location: str
    cancelled: bool
    role: SpeakerRole | None
    reason: str
    sequence: int
    speakers: list[SpeakerRead]
    crossing: CrossingRead | None
    changes: list[str]

    @classmethod
    def of(cls, entry: Entry) -> "EntryRead":
        crossing = None
        if entry.crossing is not None:
            c = entry.crossing
            crossing = CrossingRead(direction=c.direction, crossing_point=c.point, planned_at=c.planned,
                                    meeting_point=c.meeting_point, meeting_at=c.meeting)
        return cls(
            key=entry.key, uid=entry.uid, type="crossing" if entry.is_crossing else "session",
            title=entry.title, kind=entry.kind, starts_at=entry.start, ends_at=entry.end,
            location=entry.location, cancelled=entry.cancelled, role=entry.role, reason=entry.reason,
            sequence=entry.sequence,
            speakers=[SpeakerRead(name=s.name, role=s.role, affiliation=s.affiliation) for s in entry.speakers],
            crossing=crossing, changes=entry.changes,
        )


class DayRead(BaseModel):
    index: int
    date: date
    entries: list[EntryRead]


class ItineraryRead(BaseModel):
    # None, with an explanation, for a caller who has no registration.
    registration_id: int | None
    event_id: int | None
    event_title: str
    timezone: str | None
    explanation: str
    days: list[DayRead]

    @classmethod
    def empty(cls) -> "ItineraryRead":
        return cls(registration_id=None, event_id=None, event_title="", timezone=None,
                   explanation=no_registration_text(), days=[])

    @classmethod
    def of(cls, itinerary: Itinerary) -> "ItineraryRead":
        return cls(
            registration_id=itinerary.registration.id, event_id=itinerary.event.id,
            event_title=itinerary.event.title, timezone=itinerary.timezone, explanation=itinerary.explanation,
            days=[DayRead(index=d.index, date=d.date, entries=[EntryRead.of(e) for e in d.entries])
                  for d in itinerary.days],
        )
