from tests.factories import AdminFactory, UserFactory


def test_me_answers_with_the_token_owner(api) -> None:
    user = UserFactory(email="me@example.org")
    r = api(user).get("/api/v1/me")
    assert r.status_code == 200
    assert r.json()["email"] == "me@example.org" and "password_hash" not in r.json()


def test_invalid_token_is_401(client) -> None:
    r = client.get("/api/v1/me", headers={"Authorization": "Bearer pt_nonsense"})
    assert r.status_code == 401
    assert r.json()["error"] == "NotAuthenticated"


def test_admin_lists_users_paginated(api) -> None:
    admin = AdminFactory()
    UserFactory.create_batch(3)
    r = api(admin).get("/api/v1/users?per_page=2&page=2")
    assert r.status_code == 200
    body = r.json()
    assert (body["total"], body["page"], body["per_page"], len(body["items"])) == (4, 2, 2, 2)


def test_admin_creates_a_user_and_bad_payloads_get_field_errors(api) -> None:
    client = api(AdminFactory())
    r = client.post("/api/v1/users", json={"email": "bad", "full_name": "", "password": "x"})
    assert r.status_code == 422
    fields = {tuple(e["loc"])[-1] for e in r.json()["detail"]}
    assert {"email", "full_name", "password"} <= fields
    r = client.post("/api/v1/users", json={"email": "new@example.org", "full_name": "New", "password": "a long unusual passphrase"})
    assert r.status_code == 201 and r.json()["email"] == "new@example.org"
    r = client.post("/api/v1/users", json={"email": "new@example.org", "full_name": "New", "password": "a long unusual passphrase"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "email"]


def test_non_admin_cannot_list_or_create_users(api) -> None:
    client = api(UserFactory())
    assert client.get("/api/v1/users").status_code == 403
    assert client.post("/api/v1/users", json={"email": "n@example.org", "full_name": "N", "password": "a long unusual passphrase"}).status_code == 403


def test_admin_patches_a_user(api) -> None:
    user = UserFactory()
    r = api(AdminFactory()).patch(f"/api/v1/users/{user.id}", json={"is_active": False, "is_admin": None})
    assert r.status_code == 200 and r.json()["is_active"] is False
    assert api(AdminFactory()).patch(f"/api/v1/users/{user.id}", json={"role": "x"}).status_code == 422
    assert api(AdminFactory()).get("/api/v1/users/424242").status_code == 404
