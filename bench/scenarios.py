"""The requests the benchmark measures; the first one is the baseline the others are compared with."""

from dataclasses import dataclass, field

BASELINE_REQUESTS = 300
DEFAULT_REQUESTS = 150

IDEMPOTENCY_KEY = "bench-user-create-replay"


@dataclass(frozen=True)
class Scenario:
    """One request, repeated. ``auth`` is ``anonymous``, ``session`` (the HQ admin) or ``token`` (theirs)."""

    name: str
    path: str
    method: str = "get"
    auth: str = "anonymous"
    requests: int = DEFAULT_REQUESTS
    expect: int = 200
    body: dict | None = None
    headers: dict = field(default_factory=dict)
    # A response header that must be present with this value, e.g. proof that a replay was served.
    expect_header: tuple[str, str] | None = None


BASELINE = Scenario(name="healthz (baseline)", path="/healthz", requests=BASELINE_REQUESTS)

SCENARIOS = [
    BASELINE,
    Scenario(name="api notifications (token)", path="/api/v1/notifications/", auth="token"),
    Scenario(name="api events (hq_admin)", path="/api/v1/events/", auth="session"),
    Scenario(
        name="api events ?verb=user_created",
        path="/api/v1/events/?verb=accounts.user_created",
        auth="session",
    ),
    Scenario(name="page /hq/ dashboard", path="/hq/", auth="session"),
    Scenario(name="page /hq/audit/", path="/hq/audit/", auth="session"),
    Scenario(name="page /notifications/", path="/notifications/", auth="session"),
    # The first request (in the warm-up) creates the user; every measured one is a replay of it,
    # so this measures the cost of answering a retried POST from the stored response.
    Scenario(
        name="api POST users (idem. replay)",
        path="/api/v1/users/",
        method="post",
        auth="token",
        expect=201,
        body={"username": "bench-idempotent", "role": "hq_staff", "first_name": "Replay"},
        headers={"Idempotency-Key": IDEMPOTENCY_KEY},
        expect_header=("Idempotent-Replayed", "true"),
    ),
]
