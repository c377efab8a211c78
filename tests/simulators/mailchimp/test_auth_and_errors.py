"""Authentication, data centres and the problem-document error shape."""

from __future__ import annotations

import httpx

from simulators.mailchimp import DEFAULT_TOKEN, Simulator


def test_basic_auth_with_any_user_and_the_key_as_password_is_accepted(sim: Simulator) -> None:
    with httpx.Client(
        transport=sim.transport(),
        base_url="https://us21.api.mailchimp.com/3.0",
        auth=("whoever", DEFAULT_TOKEN),
    ) as c:
        assert c.get("/ping").json() == {"health_status": "Everything's Chimpy!"}


def test_bearer_key_is_accepted(sim: Simulator) -> None:
    with httpx.Client(
        transport=sim.transport(), base_url="https://us21.api.mailchimp.com/3.0"
    ) as c:
        response = c.get("/lists", headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"})
    assert response.status_code == 200


def test_wrong_key_is_a_401_problem_document(sim: Simulator) -> None:
    with httpx.Client(
        transport=sim.transport(),
        base_url="https://us21.api.mailchimp.com/3.0",
        auth=("x", "0000-us21"),
    ) as c:
        response = c.get("/lists")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["title"] == "API Key Invalid"
    assert set(body) == {"type", "title", "status", "detail", "instance"}
    assert body["status"] == 401


def test_missing_key_is_401(sim: Simulator) -> None:
    with httpx.Client(
        transport=sim.transport(), base_url="https://us21.api.mailchimp.com/3.0"
    ) as c:
        assert c.get("/lists").status_code == 401


def test_right_key_on_another_data_centre_is_refused(sim: Simulator) -> None:
    with httpx.Client(
        transport=sim.transport(),
        base_url="https://us5.api.mailchimp.com/3.0",
        auth=("x", DEFAULT_TOKEN),
    ) as c:
        assert c.get("/lists").status_code == 401


def test_unknown_path_is_404_and_wrong_method_405_with_allow(client: httpx.Client) -> None:
    assert client.get("/nothing-here").json()["title"] == "Resource Not Found"
    response = client.put("/lists")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"


def test_body_that_is_not_json_is_a_parse_error(client: httpx.Client, list_id: str) -> None:
    response = client.post(f"/lists/{list_id}/members", content=b"{nope")
    assert response.status_code == 400
    assert response.json()["title"] == "JSON Parse Exception"


def test_same_seed_gives_identical_answers() -> None:
    bodies = []
    for _ in range(2):
        sim = Simulator(seed=11).seed_data(members=40, audiences=2)
        with sim.client() as c:
            lists = c.get("/lists").content
            first = c.get("/lists").json()["lists"][0]["id"]
            bodies.append((lists, c.get(f"/lists/{first}/members", params={"count": 50}).content))
    assert bodies[0] == bodies[1]
