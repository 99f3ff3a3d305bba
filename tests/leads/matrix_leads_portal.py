"""Permission-matrix entries for the leads app's portal pages (see tests/platform/permission_matrix.py)."""

API: dict = {}
HTML: dict = {}


def object_id(param_path: str, world) -> int | None:
    """The id a path parameter of one of these routes names, or None when the route is not ours."""
    return None


def html_url(name: str, world) -> str | None:
    """The URL of a route of ours that takes more than one argument, or None."""
    return None
