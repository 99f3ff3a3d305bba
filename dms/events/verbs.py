"""The registry of event kinds. Each app registers its verbs with a label and a sentence to show."""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Verb:
    code: str
    label: Promise
    sentence: Promise
    notifies: bool = False
    # Extra sentence values computed when the event is shown, so that labels follow the reader's
    # language rather than the one active when the event was recorded.
    values: Callable[[dict], dict] | None = None


_registry: dict[str, Verb] = {}


def register(
    code: str, *, label: Promise, sentence: Promise, notifies: bool = False, values: Callable | None = None
) -> Verb:
    verb = Verb(code=code, label=label, sentence=sentence, notifies=notifies, values=values)
    _registry[code] = verb
    return verb


def get(code: str) -> Verb | None:
    return _registry.get(code)


def all_verbs() -> list[Verb]:
    return sorted(_registry.values(), key=lambda v: v.code)


def notifying_verbs() -> list[Verb]:
    return [v for v in all_verbs() if v.notifies]


def choices() -> list[tuple[str, str]]:
    return [(v.code, v.label) for v in all_verbs()]


class _Blank(dict):
    def __missing__(self, key):
        return ""


def head_office() -> str:
    """What dealers call the brand's staff: the brand's name when settings has one, else "Head office"."""
    return settings.BRAND_NAME or str(_("Head office"))


def person(user, *, viewer=None) -> str:
    """A user's name as ``viewer`` may read it: a dealer user sees anyone outside their own company as
    head office, never a head-office username."""
    if user is None:
        return ""
    if viewer is not None and getattr(viewer, "is_dealer_user", False) and user.dealer_id != viewer.dealer_id:
        return head_office()
    return str(user)


def describe(event, *, viewer=None) -> str:
    """The sentence for one event in the active language as ``viewer`` may read it, e.g. "Wang Li
    created the API token ERP"; a dealer user reads "Head office approved the order…"."""
    verb = get(event.verb)
    values = _Blank({k: v for k, v in (event.data or {}).items() if isinstance(v, str | int)})
    values["actor"] = person(event.actor, viewer=viewer) if event.actor_id else str(_("System"))
    values["target"] = event.target_repr
    if verb is None:
        return f"{values['actor']} · {event.verb} · {event.target_repr}"
    if verb.values is not None:
        values.update({k: str(v) for k, v in verb.values(event.data or {}).items()})
    return str(verb.sentence) % values
