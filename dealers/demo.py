"""Demo dealers for ``seed_demo``: about 60 companies across provinces, tiers and statuses, made
through the same services HQ uses, so their history reads like a real one."""

import random
from datetime import timedelta

from django.utils import timezone

from dealers import services
from dealers.models import Dealer, Region
from dealers.validators import uscc_check_char
from dms.accounts.models import User

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
BRANDS = [
    "恒达",
    "永盛",
    "鑫源",
    "华联",
    "顺发",
    "金桥",
    "宏图",
    "嘉禾",
    "远航",
    "瑞丰",
    "万通",
    "天成",
    "博远",
    "新锐",
    "安泰",
]
STREETS = ["建设路", "人民路", "解放路", "中山路", "和平大道"]
TRADES = ["商贸", "贸易", "实业", "电器", "科技", "供应链"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞", "平"]
TITLES = ["总经理", "采购经理", "财务主管", "销售总监", "店长"]
# (city code, how many dealers)
CITIES = [
    ("330100", 6),
    ("330200", 3),
    ("330300", 2),
    ("320100", 3),
    ("320500", 4),
    ("310000", 4),
    ("440100", 4),
    ("440300", 4),
    ("440600", 2),
    ("110000", 3),
    ("510100", 3),
    ("500000", 2),
    ("420100", 3),
    ("430100", 2),
    ("370100", 2),
    ("370200", 2),
    ("350100", 2),
    ("610100", 2),
    ("410100", 2),
    ("340100", 2),
    ("210100", 1),
    ("230100", 1),
    ("530100", 1),
    ("450100", 1),
]
STATUSES = (
    [Dealer.Status.ACTIVE] * 40
    + [Dealer.Status.PROBATION] * 5
    + [Dealer.Status.ONBOARDING] * 5
    + [Dealer.Status.PROSPECT] * 4
    + [Dealer.Status.SUSPENDED] * 3
    + [Dealer.Status.TERMINATED] * 3
)
REASONS = {
    Dealer.Status.ONBOARDING: "准入评估通过，开始准入流程",
    Dealer.Status.ACTIVE: "资质审核通过，正式合作",
    Dealer.Status.PROBATION: "连续两个季度未完成销售目标，进入观察期",
    Dealer.Status.SUSPENDED: "存在跨区域窜货行为，暂停合作",
    Dealer.Status.TERMINATED: "合同到期不再续约",
}
PATH_TO = {
    Dealer.Status.PROSPECT: [],
    Dealer.Status.ONBOARDING: [Dealer.Status.ONBOARDING],
    Dealer.Status.ACTIVE: [Dealer.Status.ONBOARDING, Dealer.Status.ACTIVE],
    Dealer.Status.PROBATION: [Dealer.Status.ONBOARDING, Dealer.Status.ACTIVE, Dealer.Status.PROBATION],
    Dealer.Status.SUSPENDED: [Dealer.Status.ONBOARDING, Dealer.Status.ACTIVE, Dealer.Status.SUSPENDED],
    Dealer.Status.TERMINATED: [Dealer.Status.ONBOARDING, Dealer.Status.ACTIVE, Dealer.Status.TERMINATED],
}


def demo_pdf(title: str) -> bytes:
    """A one-page PDF with a line of text, so the demo's documents open in any viewer."""
    text = title.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 18 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length " + str(len(stream)).encode() + b">>stream\n" + stream + b"\nendstream",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer<</Size {len(objects) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def demo_png(rng: random.Random) -> bytes:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 200), (245, 245, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle([10, 10, 310, 190], outline=(180, 30, 30), width=4)
    draw.text((30, 90), f"DEMO ID {rng.randint(100000, 999999)}", fill=(40, 40, 40))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def seed_documents(*, actor: User, dealer: Dealer, rng: random.Random) -> None:
    """Documents as a real registry would hold them: trading dealers have their mandatory ones
    verified (a few about to expire), onboarding dealers are waiting for HQ to check theirs."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dealers.models import DocumentType

    if dealer.documents.exists() or dealer.status in (Dealer.Status.PROSPECT, Dealer.Status.TERMINATED):
        return
    today = timezone.localdate()
    for doc_type in DocumentType.objects.filter(is_mandatory=True):
        days = rng.choice([12, 25, 200, 400, 700]) if doc_type.code == "business_licence" else rng.randint(90, 900)
        content = demo_pdf(f"{doc_type.name_en} - {dealer.code} - DEMO")
        document = services.document_upload(
            actor=actor,
            dealer=dealer,
            doc_type=doc_type,
            file=SimpleUploadedFile(f"{doc_type.code}.pdf", content),
            number=f"{dealer.uscc[-8:]}-{doc_type.position}",
            issued_on=today - timedelta(days=365),
            expires_on=today + timedelta(days=days),
        )
        if dealer.status != Dealer.Status.ONBOARDING:
            services.document_verify(actor=actor, document=document)
    if rng.random() < 0.3:
        services.document_upload(
            actor=actor,
            dealer=dealer,
            doc_type=DocumentType.objects.get(code="legal_representative_id"),
            file=SimpleUploadedFile("id.png", demo_png(rng)),
            expires_on=today + timedelta(days=rng.randint(300, 3000)),
        )


def demo_uscc(rng: random.Random, region_code: str) -> str:
    first17 = "91" + region_code + "".join(rng.choice(ALPHABET) for _ in range(9))
    return first17 + uscc_check_char(first17)


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randint(0, 999999999):09d}"


def seed_dealers(*, actor: User, owners_by_province: dict, first_dealer_code: str = "D00001") -> list[Dealer]:
    """Create the demo dealers once; a second run finds them by USCC and changes nothing."""
    statuses = STATUSES[:]
    random.Random(20261126).shuffle(statuses)
    statuses[0] = Dealer.Status.ACTIVE  # the demo dealer user's own company is trading
    dealers, n = [], 0
    for city_code, count in CITIES:
        city = Region.objects.select_related("parent").get(code=city_code)
        province = city.parent if city.level == Region.Level.CITY else city
        for _ in range(count):
            n += 1
            # One stream per dealer, the same on every machine and every run: skipping a dealer that
            # exists already does not change the ones after it.
            rng = random.Random(20261126 + n)
            uscc = demo_uscc(rng, city_code)
            brand, trade = rng.choice(BRANDS), rng.choice(TRADES)
            short = city.name.removesuffix("市")
            name = f"{short}{brand}{trade}"
            contacts = [
                {
                    "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", *GIVEN]),
                    "title": rng.choice(TITLES),
                    "phone": mobile(rng),
                    "email": f"contact{n}@dealer{n}.example.cn",
                    "is_primary": True,
                }
                for _ in range(rng.choice([1, 2]))
            ]
            for extra in contacts[1:]:
                extra["is_primary"] = False
            status = statuses[(n - 1) % len(statuses)]
            tier = rng.choices(["A", "B", "C", "D"], weights=[1, 3, 5, 2])[0]
            existing = Dealer.objects.filter(uscc=uscc).first()
            if existing:
                dealers.append(existing)
                continue
            dealer = services.dealer_create(
                actor=actor,
                code=first_dealer_code if n == 1 else "",
                name=name,
                legal_name=f"{name}有限公司",
                uscc=uscc,
                region=city,
                tier=tier,
                address=f"{city.name}{rng.choice(STREETS)}{rng.randint(1, 399)}号",
                latitude=city.latitude,
                longitude=city.longitude,
                owner=owners_by_province.get(province.code),
                payment_terms_days=rng.choice([0, 15, 30, 45, 60]),
                lead_capacity=rng.choice([10, 20, 30, 50]),
                contacts=contacts,
            )
            dealer.served_regions.set([city])
            for step in PATH_TO[status]:
                services.dealer_change_status(actor=actor, dealer=dealer, status=step, reason=REASONS[step])
            dealer.refresh_from_db()
            if dealer.joined_on:
                joined = timezone.localdate() - timedelta(days=rng.randint(30, 2000))
                Dealer.objects.filter(pk=dealer.pk).update(joined_on=joined)
            dealer.refresh_from_db()
            seed_documents(actor=actor, dealer=dealer, rng=rng)
            dealers.append(dealer)
    return dealers


DEMO_PASSWORD = "dms-demo-2026"
DEMO_DEALER_CODE = "D00001"
# username, role, given name, family name, regions covered (codes) or the dealer code they work for
HQ_PEOPLE = [
    ("cm", "hq_staff", "静", "周", ("330000", "320000", "310000")),
    ("rep", "sales_rep", "强", "张", ("330100",)),
    ("rep2", "sales_rep", "涛", "黄", ("440000",)),
]
DEALER_PEOPLE = [
    ("dealer", "dealer_admin", "芳", "陈", DEMO_DEALER_CODE),
    ("dealerstaff", "dealer_staff", "伟", "刘", DEMO_DEALER_CODE),
]


def seed(*, admin) -> list[str]:
    """The dealers part of the demo: a channel manager and reps with territories, the dealers, and
    the users of the first dealer. Returns the usernames that sign in with the demo password."""
    from dms.accounts import services as accounts

    user_model = type(admin)
    for username, role, given, family, region_codes in HQ_PEOPLE:
        if not user_model.objects.filter(username=username).exists():
            accounts.user_create(
                actor=admin,
                username=username,
                role=role,
                password=DEMO_PASSWORD,
                first_name=given,
                last_name=family,
                email=f"{username}@dms.local",
                regions=Region.objects.filter(code__in=region_codes),
            )
    owners = {
        "330000": user_model.objects.get(username="rep"),
        "320000": user_model.objects.get(username="cm"),
        "310000": user_model.objects.get(username="cm"),
        "440000": user_model.objects.get(username="rep2"),
    }
    seed_dealers(actor=admin, owners_by_province=owners, first_dealer_code=DEMO_DEALER_CODE)
    for username, role, given, family, dealer_code in DEALER_PEOPLE:
        if not user_model.objects.filter(username=username).exists():
            accounts.user_create(
                actor=admin,
                username=username,
                role=role,
                password=DEMO_PASSWORD,
                first_name=given,
                last_name=family,
                email=f"{username}@dms.local",
                dealer_id=Dealer.objects.get(code=dealer_code).pk,
            )
    seed_applications(actor=user_model.objects.get(username="cm"))
    return [p[0] for p in HQ_PEOPLE + DEALER_PEOPLE]


APPLICANTS = [
    # company, city code, status reached, score (1-5) given by the reviewer
    ("温州宏达电器", "330300", "submitted", None),
    ("常州金桥商贸", "320400", "submitted", None),
    ("合肥永盛贸易", "340100", "under_review", None),
    ("厦门瑞丰实业", "350200", "under_review", 4),
    ("长沙万通供应链", "430100", "needs_info", None),
    ("昆明天成商贸", "530100", "rejected", 2),
    ("东莞博远电器", "441900", "approved", 5),
]


def seed_applications(*, actor: User) -> None:
    """One or more applications in every state of the onboarding workflow."""
    from dealers.models import DealerApplication, SelectionCriterion

    for n, (company, city_code, reached, score) in enumerate(APPLICANTS, start=1):
        rng = random.Random(1000 + n)  # one stream per applicant: a second run finds the same companies
        uscc = demo_uscc(rng, city_code)
        if DealerApplication.objects.filter(uscc=uscc).exists() or Dealer.objects.filter(uscc=uscc).exists():
            continue
        application, _token = services.application_submit(
            source=DealerApplication.Source.PUBLIC,
            company_name=company,
            legal_name=f"{company}有限公司",
            uscc=uscc,
            registered_capital=rng.choice([200, 500, 1000, 3000]),
            founded_year=rng.randint(2000, 2020),
            regions_wanted=[Region.objects.get(code=city_code)],
            product_lines_wanted="厨房电器、生活电器",
            warehouse_area=rng.choice([300, 800, 1500, 3000]),
            sales_team_size=rng.randint(3, 40),
            years_in_industry=rng.randint(2, 20),
            current_brands="美的、苏泊尔",
            channels="线下门店、京东、天猫",
            annual_revenue_band=rng.choice(["5m-20m", "20m-100m"]),
            contact_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
            contact_phone=mobile(rng),
            contact_email=f"apply{n}@applicant{n}.example.cn",
        )
        if reached == "submitted":
            continue
        services.application_start_review(actor=actor, application=application)
        if score:
            services.application_score(
                actor=actor,
                application=application,
                scores=[
                    {"criterion": c.code, "score": score} for c in SelectionCriterion.objects.filter(is_active=True)
                ],
            )
        if reached == "needs_info":
            services.application_request_info(
                actor=actor, application=application, message="请补充仓库照片与近一年销售流水。"
            )
        elif reached == "rejected":
            services.application_reject(actor=actor, application=application, reason="所在区域已有两家合作经销商。")
        elif reached == "approved":
            services.application_approve(actor=actor, application=application, username="dgboyuan")
