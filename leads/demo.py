"""Demo data of the leads app for ``seed_demo`` (after the orders' demo): assignment rules for the demo
regions, two website lead sources, a year of leads from every channel with their assignments, answers,
follow-ups and outcomes, and deal registrations, one of them clashing with another dealer's.

Every record is made by the services, as customers, head office and the dealers would make it, in the
order it would happen. The year is played on a simulated clock (``_clock``): while an action of the past
runs, ``django.utils.timezone.now`` and the event log's default time give that moment, so every
timestamp, deadline, recall and reminder is the one the action would have had. A fixed random seed gives
the same demo on every machine.
"""

import heapq
import itertools
import random
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta
from decimal import Decimal
from unittest import mock

from django.utils import timezone

from dealers.demo import DEMO_DEALER_CODE
from dealers.models import Dealer, Region
from dms.errors import DomainError
from dms.events.models import Event, Notification
from leads import services
from leads.models import Assignment, Lead
from orders.models import DealerAuthorization, ProductLine

SEED = 20261128
DAYS = 365
LEADS_PER_DAY = (5, 11)  # grows over the year from the first to the second
# Where customers ask from: region code → weight. The last ones have no dealer: their leads wait for head office.
WHERE = {
    "330102": 5,
    "330106": 5,
    "330108": 3,
    "440305": 3,
    "330200": 5,
    "330300": 3,
    "320100": 5,
    "320500": 6,
    "310000": 6,
    "440100": 6,
    "440300": 7,
    "440600": 3,
    "110000": 5,
    "510100": 4,
    "500000": 3,
    "420100": 3,
    "430100": 2,
    "370100": 2,
    "410100": 2,
    "350100": 1,
    "620100": 1,
    "650100": 1,
}
SOURCES = {"web": 34, "hotline": 16, "exhibition": 9, "campaign": 15, "referral": 10, "api": 11, "import": 5}
VALUES = {  # estimated value by product line (yuan, low/high)
    "kitchen": (3_000, 40_000),
    "air-conditioning": (6_000, 120_000),
    "laundry": (2_500, 30_000),
    "refrigeration": (3_000, 45_000),
    "small-appliances": (800, 12_000),
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
BUSINESSES = [
    "酒店管理有限公司",
    "餐饮管理有限公司",
    "物业服务有限公司",
    "置业有限公司",
    "装饰工程有限公司",
    "商务酒店",
]
PLACES = ["西子", "钱塘", "金陵", "姑苏", "珠江", "鹏城", "蓉城", "江城", "长安", "明珠", "海岸", "锦绣"]
MESSAGES = [
    "想了解一下价格和安装周期。",
    "新房装修，需要整套厨电，请尽快联系。",
    "门店需要批量采购，有没有工程报价？",
    "展会上看到的新款，想看看实物。",
    "朋友推荐的，想预约上门测量。",
    "",
]
DECLINE_REASONS = ["超出我们的服务范围", "客户需求的型号我们没有授权", "本周安装排满，无法及时跟进"]
LOST_REASONS = ["价格高于竞品", "客户推迟了装修计划", "选择了其他品牌", "联系不上客户"]
FOLLOW_UP_NOTES = {
    "call": ["已电话沟通，客户预算明确。", "客户要求发送产品资料。", "约好周末到店看样机。"],
    "visit": ["上门测量完成，尺寸合适。", "到店体验，客户比较满意。"],
    "quote": ["已发送报价单，含安装。", "给出工程批量价，等待客户确认。"],
    "note": ["客户在比较两家品牌。", "等待客户家人商量。"],
}
RULES = [
    # name, region code, product line code, strategy, minutes to accept, weights (tier, distance, load, fairness)
    ("浙江：按评分分配", "330000", None, "weighted", 4 * 60, (30, 20, 25, 25)),
    ("广东：按评分分配，重视负载", "440000", None, "weighted", 8 * 60, (20, 20, 40, 20)),
    ("江苏：轮流分配", "320000", None, "round_robin", 12 * 60, (30, 30, 20, 20)),
    ("四川厨电：总部人工分配", "510000", "kitchen", "manual", 24 * 60, (30, 30, 20, 20)),
]
SOURCES_SITES = [("天猫旗舰店", "tmall"), ("品牌官网（英文）", "global-site")]


@contextmanager
def _clock(moment: datetime):
    """Run what is inside at ``moment``: services, auto-dated fields and the event log all read it."""
    with (
        mock.patch("django.utils.timezone.now", return_value=moment),
        mock.patch.object(Event._meta.get_field("created_at"), "_get_default", lambda: moment),
        mock.patch.object(Notification._meta.get_field("created_at"), "_get_default", lambda: moment),
    ):
        yield


def seed(*, admin) -> list[str]:
    """The leads part of the demo. Returns the usernames it created; a second run changes nothing."""
    if Lead.objects.exists():
        return []
    Year(admin=admin).play()
    return []


class Year:
    """A year of leads, played day by day: what happens next waits in a queue of timed actions."""

    def __init__(self, *, admin):
        self.admin = admin
        self.rng = random.Random(SEED)
        self.now = timezone.now()
        self.start = timezone.localtime(self.now).replace(hour=0, minute=0, second=0, microsecond=0)
        self.start -= timedelta(days=DAYS)
        self.lines = list(ProductLine.objects.filter(is_active=True).order_by("position", "pk"))
        self.regions = Region.objects.in_bulk(list(WHERE), field_name="code")
        self.queue: list = []
        self.order = itertools.count()
        self.people: dict[int, object] = {}
        self.skill: dict[int, tuple[float, float]] = {}  # dealer → (chance to accept, chance to win)
        self.recent: list[tuple[str, datetime]] = []  # phones that may ask again
        self.hopeless: set[int] = set()  # unassigned leads no dealer of their province can take

    # Setup -------------------------------------------------------------------------------------

    def _setup(self) -> None:
        with _clock(self.start):
            for name, region, line, strategy, minutes, (tier, distance, load, fairness) in RULES:
                services.rule_create(
                    actor=self.admin,
                    name=name,
                    region=Region.objects.get(code=region),
                    product_line=ProductLine.objects.filter(code=line).first() if line else None,
                    strategy=strategy,
                    accept_minutes=minutes,
                    weight_tier=tier,
                    weight_distance=distance,
                    weight_load=load,
                    weight_fairness=fairness,
                )
            for name, code in SOURCES_SITES:
                services.lead_source_create(actor=self.admin, name=name, code=code)
        self._dealer_people()

    def _dealer_people(self) -> None:
        """The administrator of each active dealer answers its leads. Dealers without one get one, with no
        password and no e-mail: they act in the story, and only the demo logins sign in."""
        from dms.accounts import services as accounts

        user_model = type(self.admin)
        dealers = list(Dealer.objects.filter(status=Dealer.Status.ACTIVE).order_by("code"))
        existing = {
            user.dealer_id: user
            for user in user_model.objects.filter(role="dealer_admin", is_active=True).order_by("-pk")
        }
        with _clock(self.start):
            for dealer in dealers:
                user = existing.get(dealer.pk)
                if user is None:
                    user = accounts.user_create(
                        actor=self.admin,
                        username=dealer.code.lower(),
                        role="dealer_admin",
                        first_name=dealer.name[:2],
                        last_name="经理",
                        dealer_id=dealer.pk,
                    )
                self.people[dealer.pk] = user
                self.skill[dealer.pk] = (self.rng.uniform(0.78, 0.97), self.rng.uniform(0.22, 0.5))
        self.skill[Dealer.objects.get(code=DEMO_DEALER_CODE).pk] = (0.95, 0.42)

    # The year ----------------------------------------------------------------------------------

    def play(self) -> None:
        self._setup()
        for day in range(DAYS + 1):
            midnight = self.start + timedelta(days=day)
            self._day(midnight, share=day / DAYS)
        self._registrations()
        self._run_until(self.now)
        with _clock(self.now):
            self._assign(self.now)  # what came in since the last round; answers are still to come
        self._inbox_today()

    def _later(self, when: datetime, action, *args) -> None:
        if when < self.now:
            heapq.heappush(self.queue, (when, next(self.order), action, args))

    def _run_until(self, moment: datetime) -> None:
        while self.queue and self.queue[0][0] <= moment:
            when, _n, action, args = heapq.heappop(self.queue)
            # The lead may have moved on meanwhile (recalled, or closed): as in real life, nothing happens.
            with _clock(when), suppress(DomainError):
                action(when, *args)

    def _day(self, midnight: datetime, *, share: float) -> None:
        """The day's enquiries as they come in; assignment rounds at noon and at six, when offers past
        their deadline are recalled too; reminders about leads nobody followed up in the evening."""
        low, high = LEADS_PER_DAY
        weekend = midnight.weekday() >= 5
        count = self.rng.randint(low, round(low + (high - low) * share) + 1) // (2 if weekend else 1)
        moments = [(midnight + timedelta(minutes=self.rng.randint(8 * 60, 21 * 60)), "lead") for _ in range(count)]
        moments += [(midnight + timedelta(hours=12), "round"), (midnight + timedelta(hours=18), "chase")]
        for when, what in sorted(moments):
            if when >= self.now:
                break
            self._run_until(when)
            with _clock(when):
                if what == "lead":
                    self._new_lead(when)
                    continue
                services.assignments_recall_expired()
                self._assign(when)
                if what == "chase":
                    services.follow_ups_chase()
                    self._head_office_assigns(when)

    def _new_lead(self, when: datetime) -> None:
        rng = self.rng
        recent = [(phone, at) for phone, at in self.recent if when - at < timedelta(days=20)]
        self.recent = recent[-200:]
        if recent and rng.random() < 0.04:
            phone = rng.choice(recent)[0]  # the same customer asks again: a touch, not a second lead
        else:
            phone = f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}"
            self.recent.append((phone, when))
        line = rng.choice(self.lines)
        low, high = VALUES.get(line.code, (1_000, 20_000))
        business = rng.random() < 0.35
        company = f"{rng.choice(PLACES)}{rng.choice(BUSINESSES)}" if business else ""
        region = self.regions[rng.choices(list(WHERE), weights=list(WHERE.values()))[0]]
        source = rng.choices(list(SOURCES), weights=list(SOURCES.values()))[0]
        consent = source in ("web", "campaign", "api") or rng.random() < 0.5
        services.lead_create(
            actor=None if source in ("web", "api") else self.admin,
            source=source,
            contact_name=f"{rng.choice(SURNAMES)}{rng.choice(['先生', '女士', '经理', '总'])}",
            phone=phone,
            company=company,
            region=region,
            product_line=line,
            estimated_value=Decimal(rng.randrange(low, high, 100)) * (3 if business else 1),
            message=rng.choice(MESSAGES),
            consent=consent,
            consent_purpose="同意品牌及其授权经销商就本次咨询与我联系" if consent else "",
        )

    def _assign(self, moment: datetime) -> None:
        before = set(Assignment.objects.filter(status=Assignment.Status.OFFERED).values_list("pk", flat=True))
        while any(services.leads_assign().values()):
            pass
        offered = Assignment.objects.filter(status=Assignment.Status.OFFERED).exclude(pk__in=before)
        for assignment in offered.select_related("lead"):
            self._answer(assignment, moment)

    def _answer(self, assignment: Assignment, moment: datetime) -> None:
        """The dealer accepts, declines, or lets the offer expire (and the lead is recalled)."""
        accept, _win = self.skill.get(assignment.dealer_id, (0.85, 0.3))
        roll = self.rng.random()
        window = (assignment.deadline - moment).total_seconds() / 60
        if roll < accept:
            self._later(moment + timedelta(minutes=self.rng.uniform(5, window * 0.8)), self._accept, assignment)
        elif roll < accept + (1 - accept) / 2:
            self._later(moment + timedelta(minutes=self.rng.uniform(5, window * 0.5)), self._decline, assignment)

    def _head_office_assigns(self, moment: datetime) -> None:
        """Head office works through the unassigned queue: a lead nobody nearby could take goes to a dealer
        of the province authorised for the line, past its capacity if need be. Some wait for another day;
        a lead with no such dealer stays in the queue."""
        waiting = (
            Lead.objects.filter(
                status=Lead.Status.UNASSIGNED,
                unassigned_reason=Lead.UnassignedReason.NO_CANDIDATE,
                created_at__lte=moment - timedelta(hours=20),
            )
            .exclude(pk__in=self.hopeless)
            .select_related("region")
            .order_by("created_at")
        )
        for lead in waiting[:20]:
            if self.rng.random() < 0.3:
                continue  # not today
            province = "/".join(lead.region.path.split("/")[:2]) + "/"  # CN/330000/
            dealers = Dealer.objects.filter(
                status=Dealer.Status.ACTIVE,
                authorizations__product_line_id=lead.product_line_id,
                served_regions__path__startswith=province,
            ).order_by("code")
            for dealer in dealers.distinct():
                try:
                    assignment = services.lead_assign_manually(
                        actor=self.admin,
                        lead=lead,
                        dealer=dealer,
                        override_reason="附近暂无可接单的经销商，总部指定同省经销商跟进。",
                    )
                except DomainError:
                    continue  # authorised elsewhere in the province only: the next one
                self._answer(assignment, moment)
                break
            else:
                self.hopeless.add(lead.pk)

    # What dealers do ---------------------------------------------------------------------------

    def _accept(self, when: datetime, assignment: Assignment) -> None:
        services.assignment_accept(actor=self.people[assignment.dealer_id], assignment=assignment)
        if self.rng.random() < 0.93:
            self._later(when + timedelta(hours=self.rng.uniform(0.5, 30)), self._follow_up, assignment, "call", 0)
        else:  # never followed up: reminded, then escalated, and in the end given up
            self._later(when + timedelta(days=self.rng.uniform(10, 25)), self._lose, assignment)

    def _decline(self, _when: datetime, assignment: Assignment) -> None:
        services.assignment_decline(
            actor=self.people[assignment.dealer_id], assignment=assignment, reason=self.rng.choice(DECLINE_REASONS)
        )

    def _follow_up(self, when: datetime, assignment: Assignment, kind: str, step: int) -> None:
        rng = self.rng
        lead = assignment.lead
        actor = self.people[assignment.dealer_id]
        next_on = timezone.localdate(when) + timedelta(days=rng.randint(1, 10))
        services.follow_up_add(
            actor=actor, lead=lead, kind=kind, note=rng.choice(FOLLOW_UP_NOTES[kind]), next_action_on=next_on
        )
        _accept, win = self.skill.get(assignment.dealer_id, (0.85, 0.3))
        gap = timedelta(days=rng.uniform(1, 12))
        if step == 0:
            if rng.random() < 0.7:
                self._later(when + gap, self._qualify, assignment)
            else:  # the customer goes quiet; the dealer closes it sooner or later
                self._later(when + gap * rng.uniform(1, 5), self._lose, assignment)
            return
        if rng.random() < win / (win + 0.35):
            self._later(when + gap, self._win, assignment)
        else:
            self._later(when + gap, self._lose, assignment)

    def _qualify(self, when: datetime, assignment: Assignment) -> None:
        services.lead_qualify(actor=self.people[assignment.dealer_id], lead=assignment.lead)
        kind = self.rng.choice(["visit", "quote", "quote"])
        self._later(when + timedelta(days=self.rng.uniform(0.5, 6)), self._follow_up, assignment, kind, 1)

    def _win(self, _when: datetime, assignment: Assignment) -> None:
        lead = Lead.objects.get(pk=assignment.lead_id)
        amount = (lead.estimated_value or Decimal(5_000)) * Decimal(str(round(self.rng.uniform(0.7, 1.2), 2)))
        services.lead_mark_won(actor=self.people[assignment.dealer_id], lead=lead, amount=amount.quantize(Decimal(1)))

    def _lose(self, _when: datetime, assignment: Assignment) -> None:
        services.lead_mark_lost(
            actor=self.people[assignment.dealer_id], lead=assignment.lead, reason=self.rng.choice(LOST_REASONS)
        )

    # Today -------------------------------------------------------------------------------------

    def _registrations(self) -> None:
        """Deal registrations (报备): protected, refused, expired, waiting, and one clashing with another
        dealer's registration and an open lead of the same customer."""
        demo = Dealer.objects.get(code=DEMO_DEALER_CODE)
        others = list(
            Dealer.objects.filter(status=Dealer.Status.ACTIVE, region__code__startswith="33")
            .exclude(pk=demo.pk)
            .order_by("code")
        )
        kitchen = ProductLine.objects.get(code="kitchen")
        today = timezone.localdate(self.now)
        plan = [
            # when (days ago), dealer, company, phone, value, then: approve / reject / expire / wait
            (200, demo, "杭州西溪湿地度假酒店有限公司", "0571-85201188", 380_000, "expire"),
            (40, demo, "杭州钱塘新区人才公寓物业服务有限公司", "0571-86001234", 960_000, "approve"),
            (12, demo, "杭州湖滨餐饮管理有限公司", "13957112345", 150_000, "reject"),
            (3, demo, "宁波海曙宾馆有限公司", "0574-87301166", 220_000, "wait"),
        ]
        plan += [
            (25, dealer, f"{place}{business}", phone, value, outcome)
            for dealer, place, phone, business, value, outcome in zip(
                others[:3],
                ["绍兴", "嘉兴", "温州"],
                ["0575-85112233", "0573-82223344", "0577-88334455"],
                ["商务酒店", "置业有限公司", "餐饮管理有限公司"],
                [180_000, 640_000, 90_000],
                ["approve", "wait", "approve"],
                strict=False,
            )
        ]
        for days_ago, dealer, company, phone, value, outcome in plan:
            self._register(dealer, kitchen, company, phone, value, days_ago, outcome, today)
        if others:
            # The clash: another dealer registers the customer the demo dealer is waiting on.
            self._register(others[0], kitchen, "宁波海曙宾馆有限公司", "0574-87301166", 200_000, 1, "wait", today)

    def _register(self, dealer, line, company, phone, value, days_ago, outcome, today) -> None:
        if not DealerAuthorization.objects.filter(dealer=dealer, product_line=line).exists():
            line = DealerAuthorization.objects.filter(dealer=dealer).select_related("product_line").first()
            if line is None:
                return
            line = line.product_line
        moment = self.now - timedelta(days=days_ago, hours=2)
        with _clock(moment):
            registration = services.registration_submit(
                actor=self.people[dealer.pk],
                product_line=line,
                customer_company=company,
                customer_phone=phone,
                expected_value=Decimal(value),
                expected_close_on=timezone.localdate(moment) + timedelta(days=60),
            )
        decided = moment + timedelta(hours=20)
        if outcome in ("approve", "expire"):
            with _clock(decided):
                days = 90 if outcome == "approve" else 30
                services.registration_approve(actor=self.admin, registration=registration, days=days)
            if outcome == "expire":
                with _clock(decided + timedelta(days=31)):
                    services.registrations_expire()
        elif outcome == "reject":
            with _clock(decided):
                services.registration_reject(
                    actor=self.admin, registration=registration, reason="该客户已由直营团队跟进，不予报备。"
                )

    def _inbox_today(self) -> None:
        """This morning's leads for the demo dealer, still waiting for an answer, and an open customer that
        clashes with the registrations above."""
        demo = Dealer.objects.get(code=DEMO_DEALER_CODE)
        line_ids = DealerAuthorization.objects.filter(dealer=demo).values_list("product_line_id", flat=True)
        lines = list(ProductLine.objects.filter(pk__in=line_ids).order_by("position"))
        hangzhou = Region.objects.get(code="330106")
        for n, hours in enumerate((0.3, 1.5, 3)):
            moment = self.now - timedelta(hours=hours)
            with _clock(moment):
                lead, _created = services.lead_create(
                    actor=self.admin,
                    source=["hotline", "exhibition", "web"][n],
                    contact_name=["周女士", "沈先生", "钱经理"][n],
                    phone=f"1380571{n:04d}",
                    company=["", "", "宁波海曙宾馆有限公司"][n],
                    region=hangzhou,
                    product_line=lines[n % len(lines)],
                    estimated_value=Decimal([18_000, 36_000, 220_000][n]),
                    message=MESSAGES[n],
                    consent=True,
                    consent_purpose="同意品牌及其授权经销商就本次咨询与我联系",
                )
                services.lead_assign_manually(
                    actor=self.admin, lead=lead, dealer=demo, override_reason="客户点名要这家门店。"
                )
