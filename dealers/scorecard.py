"""The selection scorecard: default criteria, the weighted total and the recommendation."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

DEFAULT_CRITERIA = [
    # code, Chinese name, English name, weight %
    ("capital_strength", "资金实力", "Capital strength", 25),
    ("market_channels", "市场渠道", "Market channels", 25),
    ("sales_team", "销售团队", "Sales team", 20),
    ("industry_experience", "行业经验", "Industry experience", 15),
    ("business_credit", "商业信用", "Business credit", 15),
]

RECOMMENDATIONS = {
    "recommend": _("Recommended"),
    "consider": _("Consider with care"),
    "decline": _("Not recommended"),
}


def ensure_default_criteria(criterion_model) -> None:
    for position, (code, name, name_en, weight) in enumerate(DEFAULT_CRITERIA):
        criterion_model.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "weight": weight, "position": position}
        )


@dataclass
class CriterionResult:
    criterion: object
    average: Decimal | None
    points: Decimal | None
    scores: list = field(default_factory=list)


@dataclass
class Scorecard:
    rows: list[CriterionResult]
    total: Decimal | None
    complete: bool
    reviewers: int

    @property
    def recommendation(self) -> str | None:
        if self.total is None:
            return None
        if self.total >= settings.DMS_SELECTION_RECOMMEND_AT:
            return "recommend"
        if self.total >= settings.DMS_SELECTION_APPROVE_AT:
            return "consider"
        return "decline"

    @property
    def recommendation_label(self):
        return RECOMMENDATIONS.get(self.recommendation, "")

    @property
    def below_threshold(self) -> bool:
        return self.total is None or self.total < settings.DMS_SELECTION_APPROVE_AT


def compute(criteria, scores) -> Scorecard:
    """Weighted total on 0–100: each criterion's average score (1–5) as a share of its weight.

    Weights are normalised by their sum, so a configuration that does not add up to 100 still
    yields a 0–100 total. The total is known only when every criterion has at least one score.
    """
    criteria = list(criteria)
    weight_sum = sum(c.weight for c in criteria) or 1
    rows, total, complete = [], Decimal(0), True
    for criterion in criteria:
        mine = [s for s in scores if s.criterion_id == criterion.pk]
        if not mine:
            complete = False
            rows.append(CriterionResult(criterion, None, None, mine))
            continue
        average = Decimal(sum(s.score for s in mine)) / len(mine)
        points = average / 5 * Decimal(criterion.weight) * 100 / weight_sum
        total += points
        rows.append(
            CriterionResult(criterion, average.quantize(Decimal("0.01")), points.quantize(Decimal("0.1")), mine)
        )
    reviewers = len({s.reviewer_id for s in scores})
    final = total.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if complete and criteria else None
    return Scorecard(rows=rows, total=final, complete=complete and bool(criteria), reviewers=reviewers)
