"""Every router of the application, in one list."""

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute


def routers() -> list[APIRouter]:
    from app.accounts import admin as accounts_admin
    from app.accounts import api as accounts_api
    from app.accounts import pages as accounts_pages
    from app.agenda import api as agenda_api
    from app.agenda import pages as agenda_pages
    from app.agenda import public as agenda_public
    from app.archive import api as archive_api
    from app.archive import pages as archive_pages
    from app.audit import pages as audit_pages
    from app.crossings import admin as crossings_admin
    from app.crossings import api as crossings_api
    from app.crossings import downloads as crossings_downloads
    from app.crossings import pages as crossings_pages
    from app.crossings import points_api as crossing_points_api
    from app.delegations import api as delegations_api
    from app.delegations import pages as delegations_pages
    from app.events import api as events_api
    from app.events import pages as events_pages
    from app.initiatives import api as initiatives_api
    from app.initiatives import pages as initiatives_pages
    from app.invitations import api as invitations_api
    from app.invitations import pages as invitations_pages
    from app.itineraries import api as itineraries_api
    from app.itineraries import pages as itineraries_pages
    from app.me import api as me_api
    from app.me import pages as me_pages
    from app.officials import api as officials_api
    from app.officials import pages as officials_pages
    from app.outcomes import api as outcomes_api
    from app.outcomes import pages as outcomes_pages
    from app.press import api as press_api
    from app.press import pages as press_pages
    from app.recommendations import api as recommendations_api
    from app.recommendations import pages as recommendations_pages
    from app.registrations import api as registrations_api
    from app.registrations import pages as registrations_pages
    from app.registrations import transfer as registrations_transfer
    from app.summaries import api as summaries_api
    from app.summaries import pages as summaries_pages

    modules = (
        accounts_pages,
        accounts_admin,
        audit_pages,
        initiatives_pages,
        archive_pages,  # before events_pages: /events/import is no event id
        events_pages,
        delegations_pages,
        registrations_pages,
        registrations_transfer,
        invitations_pages,
        me_pages,
        itineraries_pages,
        officials_pages,
        agenda_pages,
        agenda_public,
        outcomes_pages,
        press_pages,
        recommendations_pages,
        crossings_admin,
        crossings_downloads,
        crossings_pages,
        summaries_pages,
        accounts_api,
        initiatives_api,
        archive_api,
        events_api,
        delegations_api,
        registrations_api,
        invitations_api,
        me_api,
        itineraries_api,
        officials_api,
        agenda_api,
        outcomes_api,
        press_api,
        recommendations_api,
        crossing_points_api,
        crossings_api,
        summaries_api,
    )
    return [module.router for module in modules]


def api_routes() -> list[APIRoute]:
    """Every route of the routers, with its full path and dependencies (for the route tests)."""
    return [route for router in routers() for route in router.routes if isinstance(route, APIRoute)]


def include_routers(app: FastAPI) -> None:
    for router in routers():
        app.include_router(router)
