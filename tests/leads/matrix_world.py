"""Objects of the leads app that the permission matrix's paths point at.

A product line dealer 1 is authorised for, a lead from 杭州 that head office offered to dealer 1, and a
deal registration dealer 1 submitted.
"""

import datetime

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
        expected_value="50000",
        expected_close_on=datetime.date.today() + datetime.timedelta(days=30),
    )
    return {"lead": lead, "lead_line": line, "registration": registration}
