"""A crossing's files for the authorities: the manifest as CSV and PDF, the seating list as PDF.

For those who may see the crossing (organisers, administrators, that delegation's
coordinators); anyone else gets a 404 (CrossingDep), so the other side's crossings do not show
that they exist. Never cached: the files hold travel-document numbers.
Each download writes an audit entry (WritesOnRead).
"""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.crossings import exports
from app.crossings.deps import CrossingDep
from app.deps import CurrentUser, DbSession, WritesOnRead, client_address, declare
from app.policy import Action

router = APIRouter(include_in_schema=False)


VIEW = declare(Action.CROSSING_VIEW)
BASE = "/events/{event_id}/crossings/{crossing_id}"


def _download(request: Request, db: DbSession, user: CurrentUser, crossing: CrossingDep, file: exports.File) -> Response:
    export = exports.export(db, viewer=user, crossing=crossing, file=file, client=client_address(request))
    return Response(
        export.content,
        media_type=export.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{export.filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.get(BASE + "/manifest.csv", dependencies=[WritesOnRead, VIEW], name="crossings:manifest_csv")
def manifest_csv(request: Request, db: DbSession, user: CurrentUser, crossing: CrossingDep) -> Response:
    """The manifest, one row per person, with full travel-document numbers."""
    return _download(request, db, user, crossing, exports.File.MANIFEST_CSV)


@router.get(BASE + "/manifest.pdf", dependencies=[WritesOnRead, VIEW], name="crossings:manifest_pdf")
def manifest_pdf(request: Request, db: DbSession, user: CurrentUser, crossing: CrossingDep) -> Response:
    """The printable manifest with signature lines for both sides' officers."""
    return _download(request, db, user, crossing, exports.File.MANIFEST_PDF)


@router.get(BASE + "/seating.pdf", dependencies=[WritesOnRead, VIEW], name="crossings:seating_pdf")
def seating_pdf(request: Request, db: DbSession, user: CurrentUser, crossing: CrossingDep) -> Response:
    """The seating list: each vehicle with its plate, driver and passengers."""
    return _download(request, db, user, crossing, exports.File.SEATING_PDF)
