from sqlalchemy import select

from app.accounts.models import User
from app.audit import record
from tests.factories import AdminFactory, EventFactory, UserFactory, organiser


def test_users_page_lists_and_filters_accounts(client, login) -> None:
    login(AdminFactory(full_name="Admin"))
    UserFactory(full_name="Anahit Petrosyan")
    UserFactory(full_name="Leyla Aliyeva")
    r = client.get("/admin/users?q=leyla")
    assert r.status_code == 200
    assert r.text.count('class="user-row"') == 1 and "Leyla Aliyeva" in r.text


def test_users_page_is_for_administrators_only(client, login) -> None:
    login(organiser(EventFactory()))
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/security").status_code == 403


def test_admin_creates_an_account(client, form, login, db) -> None:
    login(AdminFactory())
    r = form("/admin/users/new", {"full_name": "Gohar", "email": "gohar@example.org", "password": "a long unusual passphrase"})
    assert r.status_code == 303
    assert db.scalar(select(User).where(User.email == "gohar@example.org")).full_name == "Gohar"


def test_admin_create_form_shows_errors_and_keeps_values(client, form, login, db) -> None:
    login(AdminFactory())
    r = form("/admin/users/new", {"full_name": "Gohar", "email": "not-an-email", "password": "123"})
    assert r.status_code == 422
    assert 'value="Gohar"' in r.text and 'id="e-email"' in r.text and 'id="e-password"' in r.text
    assert db.scalar(select(User).where(User.full_name == "Gohar")) is None


def test_admin_deactivates_an_account(client, form, login, db) -> None:
    login(AdminFactory())
    user = UserFactory()
    r = form(f"/admin/users/{user.id}", {"full_name": user.full_name})
    assert r.status_code == 303
    assert user.is_active is False


def test_admin_cannot_deactivate_themselves(client, form, login) -> None:
    admin = login(AdminFactory())
    r = form(f"/admin/users/{admin.id}", {"full_name": "Me", "is_admin": "on"})
    assert r.status_code == 422
    assert admin.is_active


def test_unknown_user_is_404(client, login) -> None:
    login(AdminFactory())
    assert client.get("/admin/users/999999").status_code == 404


def test_security_page_turns_on_required_second_factor(client, form, login, db) -> None:
    admin = login(AdminFactory(totp_enabled=True))
    r = form("/admin/security", {"require_totp": "on"})
    assert r.status_code == 303
    from app.accounts import service

    assert service.totp_policy_enabled(db)
    assert admin.totp_enabled


def test_audit_page_filters_by_action(client, login, db) -> None:
    admin = login(AdminFactory())
    record(db, admin, "event.update", EventFactory())
    record(db, admin, "user.create", UserFactory())
    db.flush()
    r = client.get("/admin/audit?action=event.update")
    assert r.status_code == 200
    assert r.text.count('class="audit-entry"') == 1


def test_audit_page_refuses_bad_dates_without_error(client, login) -> None:
    login(AdminFactory())
    assert client.get("/admin/audit?since=yesterday").status_code == 422
