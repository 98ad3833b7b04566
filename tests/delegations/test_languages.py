"""Delegation pages in the reader's language: coordinators in the reader's collation, refusals."""

import re

import pytest

from app import i18n
from app.delegations import service
from app.errors import FieldError
from app.i18n import use_language
from app.registrations.models import Circle, RegistrationStatus
from tests.factories import DelegationFactory, RegistrationFactory, coordinator, organiser
from tests.support import read_in, settle


def test_coordinators_are_listed_in_the_readers_collation(client, login, db):
    delegation = DelegationFactory()
    for name in ("Dadaş Quliyev", "Çingiz Mustafayev", "Cuma Əhmədov", "Cavid Rəhimov"):
        coordinator(delegation, full_name=name)
    login(organiser(delegation.event))
    settle(db)
    url = f"/events/{delegation.event_id}/delegations/{delegation.id}"
    read_in(client, "az")

    detail = client.get(url).text
    listed = client.get(f"/events/{delegation.event_id}/delegations").text

    expected = ["Cavid Rəhimov", "Cuma Əhmədov", "Çingiz Mustafayev", "Dadaş Quliyev"]
    assert re.findall(r'<li class="coordinator">([^<—]+?) —', detail) == expected
    assert ", ".join(expected) in listed


def test_lowering_a_capacity_below_the_places_taken_says_so_in_the_readers_language(db):
    delegation = DelegationFactory(capacity_core=3)
    RegistrationFactory.create_batch(2, delegation=delegation, circle=Circle.CORE, status=RegistrationStatus.CONFIRMED)

    with use_language("ru"), pytest.raises(FieldError) as refused:
        service.update(db, actor=organiser(delegation.event), delegation=delegation, fields={"capacity_core": 1})

    with use_language("ru"):
        expected = i18n.ngettext(
            "%(num)s place of this circle is taken already: the capacity cannot be lower.",
            "%(num)s places of this circle are taken already: the capacity cannot be lower.",
            2,
        ) % {"num": 2}
    assert (refused.value.field, refused.value.message) == ("capacity_core", expected)
