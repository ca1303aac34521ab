"""API4:2023 Unrestricted Resource Consumption.

Pages are bounded (``page_size`` 1-100, dashboard ``limit`` and ``months`` too); a body over
``FINANCE_MAX_IMPORT_MB`` is a 413 whether it is sent with a Content-Length or chunked, and
nothing of it is stored; JSON nested ~1000 deep, a CSV cell over the parser's 131,072 characters
and an integer beyond 64 bits are invalid input (422), never a 500; a very long URL or header is
a 4xx in the error shape."""

from __future__ import annotations

import io
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.conftest import make_store
from tests.security.conftest import (
    CSV_HEADER,
    EXPORT,
    IMPORT,
    Caller,
    World,
    assert_client_error,
    assert_safe_error,
    make_world,
    nested,
    raw_json,
    send_csv,
)
from tests.security.operations import OPERATIONS, Operation, make_targets, state, url_of

LIMIT_MB = 1
OVER_LIMIT = LIMIT_MB * 1024 * 1024 + 1
#: How a server hands over a body sent with ``Transfer-Encoding: chunked``: no length to trust
#: (the test client still computes a CONTENT_LENGTH, which the chunked header overrides).
CHUNKED: dict[str, Any] = {
    "headers": {"Transfer-Encoding": "chunked"},
    "environ_overrides": {"wsgi.input_terminated": True},
}
#: Just past signed 64 bits, past unsigned 64 bits, and past what Python turns into an int.
BEYOND_64_BITS = [str(2**63), str(2**64), "9" * 5000]
NUMBER_IDS = ["2**63", "2**64", "5000 digits"]


@pytest.fixture(scope="module")
def small_world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> World:
    """An app whose body limit is FINANCE_MAX_IMPORT_MB=1."""
    store = make_store("sqlite", tmp_path_factory.mktemp("small"), request)
    return make_world(store, max_import_mb=LIMIT_MB)


# -- pages --------------------------------------------------------------------------------------

PAGINATED = ["/api/records/", "/api/records/deleted/", "/api/users/", "/api/records/{id}/history/"]
BAD_PAGES = [
    ("page_size", 0),
    ("page_size", 101),
    ("page_size", "1e2"),
    ("page_size", 2**64),
    ("page", 0),
    ("page", "1.5"),
    ("page", 2**64),
]


@pytest.mark.parametrize("path", PAGINATED)
@pytest.mark.parametrize(("name", "value"), BAD_PAGES)
def test_a_page_out_of_bounds_is_422(world: World, path: str, name: str, value: Any) -> None:
    url = path.format(id=world.record()["id"])
    response = world.root.get(url, query_string={name: value})
    assert_safe_error(response, 422, {"query": {name}})


@pytest.mark.parametrize("path", PAGINATED)
def test_page_size_bounds_are_inclusive(world: World, path: str) -> None:
    """Every list holds at least two entries here, so a page of 1 is one of them."""
    record, _ = world.record(), world.record()
    world.root.patch(f"/api/records/{record['id']}/", json={"category": "Changed"})
    for _ in range(2):
        world.deleted_record()
    world.new_user()
    url = path.format(id=record["id"])
    for size in (1, 100):
        response = world.root.get(url, query_string={"page_size": size})
        assert response.status_code == 200, response.json
        assert len(response.json["results"]) == min(size, response.json["count"])
    assert response.json["count"] >= 2


@pytest.mark.parametrize(
    ("path", "name", "value"),
    [
        ("/api/dashboard/recent-transactions/", "limit", 0),
        ("/api/dashboard/recent-transactions/", "limit", 101),
        ("/api/dashboard/monthly-trends/", "months", 0),
        ("/api/dashboard/monthly-trends/", "months", 121),
    ],
)
def test_dashboard_sizes_are_bounded(world: World, path: str, name: str, value: int) -> None:
    assert_safe_error(world.root.get(path, query_string={name: value}), 422, {"query": {name}})


def test_a_trend_over_more_than_120_months_is_422(world: World) -> None:
    response = world.root.get(
        "/api/dashboard/monthly-trends/",
        query_string={"date_from": "2000-01-01", "date_to": "2026-12-31"},
    )
    assert_safe_error(response, 422)


# -- body size ----------------------------------------------------------------------------------


#: Bodies just over the limit, per operation: (content type, bytes).
def _over_limit(operation: Operation) -> tuple[str, bytes]:
    if operation.csv is not None:
        row = "2026-01-05,expense,Food,12.50,Some lunch with friends,\r\n"
        text = CSV_HEADER + row * (OVER_LIMIT // len(row) + 1)
        return "text/csv", text.encode()
    padding = "x" * OVER_LIMIT
    return "application/json", f'{{"description": "{padding}"}}'.encode()


BODIES = [o for o in OPERATIONS if o.json is not None or o.csv is not None]


def _unchanged_after(world: World, caller: Caller, operation: Operation, send_it: Any) -> Any:
    targets = make_targets(world, caller)
    before = state(world, targets)
    response = send_it(url_of(operation, targets))
    assert state(world, targets) == before
    assert caller.get("/api/auth/me/").status_code == 200
    return response


@pytest.mark.parametrize("operation", BODIES, ids=lambda o: o.id)
def test_a_body_over_the_limit_is_413_and_nothing_is_stored(
    small_world: World, operation: Operation
) -> None:
    caller = small_world.caller("admin")
    content_type, data = _over_limit(operation)

    def with_length(url: str) -> Any:
        return caller.open(operation.method, url, data=data, content_type=content_type)

    assert_safe_error(_unchanged_after(small_world, caller, operation, with_length), 413)


@pytest.mark.parametrize("operation", BODIES, ids=lambda o: o.id)
def test_a_chunked_body_over_the_limit_is_413_and_nothing_is_stored(
    small_world: World, operation: Operation
) -> None:
    """Sent with ``Transfer-Encoding: chunked``: no Content-Length announces the size."""
    caller = small_world.caller("admin")
    content_type, data = _over_limit(operation)

    def chunked(url: str) -> Any:
        return caller.open(
            operation.method,
            url,
            input_stream=io.BytesIO(data),
            content_type=content_type,
            **CHUNKED,
        )

    assert_safe_error(_unchanged_after(small_world, caller, operation, chunked), 413)


def test_a_multipart_upload_over_the_limit_is_413_and_nothing_is_stored(
    small_world: World,
) -> None:
    caller = small_world.caller("admin")
    _, data = _over_limit(next(o for o in OPERATIONS if o.csv is not None))
    before = small_world.counts()
    upload = {"file": (io.BytesIO(data), "big.csv")}
    response = caller.post(IMPORT, data=upload, content_type="multipart/form-data")
    assert_safe_error(response, 413)
    assert small_world.counts() == before


@pytest.mark.parametrize("operation", BODIES, ids=lambda o: o.id)
def test_a_chunked_body_under_the_limit_is_served(small_world: World, operation: Operation) -> None:
    """Chunked bodies are read like any other when they fit."""
    caller = small_world.caller("admin")
    targets = make_targets(small_world, caller)
    if operation.csv is not None:
        data, content_type = operation.csv.encode(), "text/csv"
    else:
        body = operation.json(targets) if operation.json else {}
        data, content_type = json.dumps(body).encode(), "application/json"
    response = caller.open(
        operation.method,
        url_of(operation, targets),
        input_stream=io.BytesIO(data),
        content_type=content_type,
        **CHUNKED,
    )
    assert response.status_code == operation.success, response.get_data(as_text=True)[:300]


# -- deep JSON ----------------------------------------------------------------------------------

DEEP = {
    "arrays 1000 deep": nested(1000),
    "objects 1000 deep": nested(1000, "object"),
    "a field 1000 deep": '{"category": ' + nested(1000) + "}",
    "arrays 100000 deep": nested(100_000),
}
JSON_BODIES = [o for o in BODIES if o.csv is None]


@pytest.mark.parametrize("text", DEEP.values(), ids=DEEP.keys())
@pytest.mark.parametrize("operation", JSON_BODIES, ids=lambda o: o.id)
def test_json_nested_too_deep_is_422(world: World, operation: Operation, text: str) -> None:
    """Sent from a thread of its own: if the app overflows Python's recursion limit, this
    thread's bookkeeping stays sound for pytest to report the failure."""
    caller = world.caller("admin")

    def deep(url: str) -> Any:
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(raw_json, caller, operation.method, url, text).result()

    assert_safe_error(_unchanged_after(world, caller, operation, deep), 422)


# -- CSV cells ----------------------------------------------------------------------------------

HUGE = "x" * 140_000
HUGE_CELLS = {
    "date": f"{HUGE},expense,Food,1.00,,\r\n",
    "category": f"2026-01-05,expense,{HUGE},1.00,,\r\n",
    "amount": f"2026-01-05,expense,Food,{HUGE},,\r\n",
    "description": f"2026-01-05,expense,Food,1.00,{HUGE},\r\n",
    "quoted description": f'2026-01-05,expense,Food,1.00,"{HUGE}",\r\n',
    "owner_id": f"2026-01-05,expense,Food,1.00,,{HUGE}\r\n",
    "unterminated quote": f'2026-01-05,expense,Food,1.00,"{HUGE}\r\n',
}


@pytest.mark.parametrize("row", HUGE_CELLS.values(), ids=HUGE_CELLS.keys())
def test_a_csv_cell_too_large_to_parse_is_refused_and_nothing_is_stored(
    world: World, row: str
) -> None:
    """The contract says 422; a 413 is accepted as well (the brief allows either)."""
    before = world.counts()
    good = "2026-01-04,expense,Food,1.00,,\r\n"
    response = send_csv(world.root, CSV_HEADER + good + row + good)
    assert response.status_code in (413, 422), response.get_data(as_text=True)[:300]
    assert_safe_error(response, response.status_code)
    assert world.counts() == before


# -- integers beyond 64 bits --------------------------------------------------------------------

WITH_IDS = [o for o in OPERATIONS if "_id}" in o.url]


@pytest.mark.parametrize("number", BEYOND_64_BITS, ids=NUMBER_IDS)
@pytest.mark.parametrize("operation", WITH_IDS, ids=lambda o: o.id)
def test_an_id_beyond_64_bits_in_the_path_is_a_4xx(
    world: World, operation: Operation, number: str
) -> None:
    """The contract is silent on the status; a 404 (no such object) is what we would expect,
    any 4xx in the error shape passes, a 500 does not."""
    caller = world.caller("admin")
    targets = make_targets(world, caller)
    before = state(world, targets)
    url = operation.url.replace("{record_id}", number).replace("{deleted_id}", number)
    url = url.replace("{user_id}", number)
    kw: dict[str, Any] = {"json": operation.json(targets)} if operation.json else {}
    assert_client_error(caller.open(operation.method, url, **kw))
    assert state(world, targets) == before


QUERY_INTEGERS = [
    ("/api/records/", "owner_id"),
    ("/api/records/", "page"),
    ("/api/records/", "page_size"),
    ("/api/records/deleted/", "owner_id"),
    (EXPORT, "owner_id"),
    ("/api/users/", "page"),
    ("/api/dashboard/summary/", "owner_id"),
    ("/api/dashboard/category-totals/", "owner_id"),
    ("/api/dashboard/recent-transactions/", "limit"),
    ("/api/dashboard/monthly-trends/", "months"),
]


@pytest.mark.parametrize("number", BEYOND_64_BITS, ids=NUMBER_IDS)
@pytest.mark.parametrize(("path", "name"), QUERY_INTEGERS)
def test_an_integer_beyond_64_bits_in_the_query_is_422(
    world: World, path: str, name: str, number: str
) -> None:
    response = world.root.get(path, query_string={name: number})
    assert_safe_error(response, 422, {"query": {name}})


@pytest.mark.parametrize("number", BEYOND_64_BITS, ids=NUMBER_IDS)
def test_an_import_owner_beyond_64_bits_in_the_query_is_422(world: World, number: str) -> None:
    before = world.counts()
    response = send_csv(
        world.root,
        CSV_HEADER + "2026-01-05,expense,Food,1.00,,\r\n",
        query_string={"owner_id": number},
    )
    assert_safe_error(response, 422, {"query": {"owner_id"}})
    assert world.counts() == before


@pytest.mark.parametrize("number", BEYOND_64_BITS, ids=NUMBER_IDS)
@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/api/records/"), ("PUT", "/api/records/{id}/"), ("PATCH", "/api/records/{id}/")],
)
def test_an_owner_beyond_64_bits_in_a_body_is_422_on_every_store(
    store_world: World, method: str, path: str, number: str
) -> None:
    world = store_world
    record = world.record()
    before = world.counts()
    body = '{"amount": "1.00", "type": "expense", "category": "Food", "date": "2026-01-05", '
    body += f'"owner_id": {number}}}'
    response = raw_json(world.root, method, path.format(id=record["id"]), body)
    assert_safe_error(response, 422, {"json": {"owner_id"}})
    assert world.counts() == before
    assert world.root.get(f"/api/records/{record['id']}/").json == record


@pytest.mark.parametrize("number", BEYOND_64_BITS, ids=NUMBER_IDS)
def test_an_amount_beyond_64_bits_in_a_body_is_422_on_every_store(
    store_world: World, number: str
) -> None:
    before = store_world.counts()
    body = f'{{"amount": {number}, "type": "expense", "category": "Food", "date": "2026-01-05"}}'
    response = raw_json(store_world.root, "POST", "/api/records/", body)
    assert_safe_error(response, 422, {"json": {"amount"}})
    assert store_world.counts() == before


@pytest.mark.parametrize("number", BEYOND_64_BITS, ids=NUMBER_IDS)
def test_an_owner_beyond_64_bits_in_a_csv_is_422_on_every_store(
    store_world: World, number: str
) -> None:
    before = store_world.counts()
    text = (
        CSV_HEADER
        + "2026-01-05,expense,Food,1.00,,\r\n"
        + f"2026-01-06,expense,Food,1.00,,{number}\r\n"
    )
    body = assert_safe_error(send_csv(store_world.root, text), 422)
    assert [(e["line"], e["field"]) for e in body["errors"]] == [(3, "owner_id")]
    assert store_world.counts() == before


# -- long URLs and headers ----------------------------------------------------------------------

LONG = "a" * 100_000


@pytest.mark.parametrize(
    ("path", "query"),
    [
        (f"/api/records/{LONG}/", {}),
        ("/api/records/", {"q": LONG}),
        ("/api/records/", {"category": LONG}),
        ("/api/records/", {"cursor": LONG}),
        (f"/api/{LONG}", {}),
    ],
    ids=["long path", "long q", "long category", "long cursor", "long unknown path"],
)
def test_a_very_long_url_is_a_4xx_in_the_error_shape(
    world: World, path: str, query: dict[str, str]
) -> None:
    """A 100,000-character URL that reaches the app: a 4xx (404 or 422), never a 5xx."""
    assert_client_error(world.root.get(path, query_string=query))


def test_a_very_long_unknown_parameter_is_ignored_by_the_app(world: World) -> None:
    """Unknown query parameters are ignored (contract), however long. Refusing an over-long
    request line (414, JSON) is the server's job, before the app: gunicorn's limit, covered by
    tests/e2e/test_server_edges.py; the test client has no such layer."""
    caller = world.caller("viewer")
    world.record(caller.id)
    plain = caller.get("/api/records/")
    padded = caller.get("/api/records/", query_string={"unknown": LONG})
    assert padded.status_code == 200
    assert padded.json["results"] == plain.json["results"]


def test_a_very_long_authorization_header_is_401(world: World) -> None:
    response = world.root.client.get("/api/records/", headers={"Authorization": f"Bearer {LONG}"})
    assert_safe_error(response, 401)
