"""Path loader for the delegate's own registration: anyone else's is a 404."""

from typing import Annotated

from fastapi import Depends

from app.deps import CurrentUser, DbSession, Id
from app.me import service
from app.registrations.models import Registration


def own_registration(db: DbSession, user: CurrentUser, registration_id: Id) -> Registration:
    return service.get_own(db, user=user, registration_id=registration_id)


OwnRegistrationDep = Annotated[Registration, Depends(own_registration)]
