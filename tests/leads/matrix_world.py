"""Objects of the leads app that the permission matrix's paths point at.

A product line dealer 1 is authorised for, a lead from 杭州 that head office offered to dealer 1, a
deal registration dealer 1 submitted, and the HQ administrator's assignment rule, lead source and lead
import (queued).
"""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from leads import services
from tests.factories import region
from tests.factories.orders import ProductLineFactory, authorize


def leads_world(users) -> dict:
    dealer = users["dealer_admin"].dealer
    line = ProductLineFactory(code="matrix-leads")
    authorize(dealer, line)
    lead, _created = services.lead_create(
        actor=users["hq_admin"],
        source="hotline",
        contact_name="赵女士",
        phone="13900139000",
        region=region("330106"),
        product_line=line,
    )
    services.lead_assign_manually(actor=users["hq_admin"], lead=lead, dealer=dealer)
    registration = services.registration_submit(
        actor=users["dealer_admin"],
        product_line=line,
        customer_company="杭州矩阵科技有限公司",
        customer_phone="0571-88886666",
        expected_value="50000",
        expected_close_on=datetime.date.today() + datetime.timedelta(days=30),
    )
    rule = services.rule_create(actor=users["hq_admin"], name="华东加权", region=region("330000"))
    source, _key = services.lead_source_create(actor=users["hq_admin"], name="官网", code="matrix-web")
    lead_import = services.lead_import_start(
        actor=users["hq_admin"],
        uploaded_file=SimpleUploadedFile(
            "leads.csv", "联系人,电话,产品线,省\n钱女士,13700137000,matrix-leads,浙江\n".encode()
        ),
    )
    return {
        "lead": lead,
        "lead_line": line,
        "registration": registration,
        "rule": rule,
        "lead_source": source,
        "lead_import": lead_import,
    }
