"""The page that shows an event's object to its reader: head office's console or the dealer portal.

A link is built from the event's own columns (target type and id, dealer), so a list of events costs
no extra query. An object without a page of its own links to the page that lists it; a page the
reader may not open (``RoleRequiredMixin.allows``) gives no link at all.
"""

from django.urls import NoReverseMatch, reverse

from dms.menus import url_allows

# model label -> (URL name, which id the URL takes: "target", "dealer" or None)
HQ_PAGES = {
    "accounts.user": ("accounts:user_detail", "target"),
    "accounts.apitoken": ("accounts:settings", None),
    "dealers.dealer": ("dealers:detail", "target"),
    "dealers.dealerapplication": ("dealers:application_detail", "target"),
    "dealers.qualificationdocument": ("dealers:detail", "dealer"),
    "orders.order": ("orders:detail", "target"),
    "orders.invoice": ("orders:invoice_detail", "target"),
    "orders.payment": ("orders:credit", "dealer"),
    "orders.product": ("orders:product_detail", "target"),
    "orders.warehouse": ("orders:stock", None),
    "orders.creditaccount": ("orders:credit", "dealer"),
    "leads.lead": ("leads:detail", "target"),
    "leads.dealregistration": ("leads:registration_detail", "target"),
    "leads.leadimport": ("leads:import_detail", "target"),
    "leads.assignmentrule": ("leads:rules", None),
    "leads.leadsource": ("leads:sources", None),
}
PORTAL_PAGES = {
    "accounts.user": ("portal:staff", None),
    "accounts.apitoken": ("accounts:settings", None),
    "dealers.dealer": ("portal:home", None),
    "dealers.qualificationdocument": ("portal:documents", None),
    "orders.order": ("portal:order_detail", "target"),
    "orders.invoice": ("portal:statement", None),
    "orders.payment": ("portal:statement", None),
    "orders.creditaccount": ("portal:statement", None),
    "orders.product": ("portal:catalogue", None),
    "leads.lead": ("portal:lead_detail", "target"),
    "leads.dealregistration": ("portal:registration_detail", "target"),
}
# Events about a dealer's qualification documents are recorded on the dealer; the portal shows them
# on its documents page.
PORTAL_VERB_PAGES = {
    "dealers.document_uploaded": "portal:documents",
    "dealers.document_verified": "portal:documents",
    "dealers.document_rejected": "portal:documents",
    "dealers.document_expiring": "portal:documents",
    "dealers.document_duplicate": "portal:documents",
}


def event_url(event, *, user) -> str:
    """The address of the page showing ``event``'s object to ``user``, or "" when there is none they
    may open. ``event.target_type`` should be selected with the event."""
    if user is None or not user.is_authenticated:
        return ""
    if user.is_dealer_user:
        pages, verb_page = PORTAL_PAGES, PORTAL_VERB_PAGES.get(event.verb)
    else:
        pages, verb_page = HQ_PAGES, None
    target_type = event.target_type
    name, takes = (
        (verb_page, None) if verb_page else pages.get(f"{target_type.app_label}.{target_type.model}", ("", None))
    )
    if not name:
        return ""
    ident = {"target": event.target_id, "dealer": event.dealer_id, None: None}[takes]
    if takes and not ident:
        return ""
    try:
        url = reverse(name, args=[ident] if takes else [])
    except NoReverseMatch:
        return ""
    return url if url_allows(url, user) else ""
