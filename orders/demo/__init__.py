"""Demo data of the orders app for ``seed_demo`` (after the dealers' demo): a home-appliance
catalogue, tier and dealer prices, four warehouses with stock, authorisations, credit, and a year
of orders, invoices and payments for the trading demo dealers.

Every record is made by the services, as the order desk, finance and the dealers would make it.
The one exception: services stamp what they write with the current time, so the history is given
its past afterwards with ``update()`` — the timestamps and dates of each order, invoice, payment,
stock movement and event it made, and the date inside their public numbers (``SO-YYYYMMDD-NNNN``,
renumbered from the counter of that day). Group membership has no service; it is set as the admin
form sets it. A fixed random seed gives the same demo on every machine.
"""

from orders import services
from orders.demo.catalogue import (
    DISCONTINUED,
    HQ_PEOPLE,
    seed_catalogue,
    seed_people,
    seed_price_lists,
    seed_warehouses,
)
from orders.demo.orders import OrderHistory
from orders.demo.payments import PaymentHistory
from orders.demo.setup import TradingSetup
from orders.models import Order, Product


class History(TradingSetup, OrderHistory, PaymentHistory):
    """Authorisations, credit, stock and a year of orders; made once, in date order per dealer."""

    def seed(self) -> None:
        profiles = [self._authorize_and_profile(dealer) for dealer in self.dealers]
        self._lapsed_authorization(profiles)
        self._set_credit()
        self._backdate_setup()
        self._cast(profiles)
        for profile in profiles:
            self._plan(profile)
        self._initial_stock(profiles)
        for profile in profiles:
            self._make_history(profile)
        for sku in DISCONTINUED:
            if sku in self.products:
                services.catalogue_save(
                    actor=self.admin, model=Product, instance=self.products[sku], fields={"is_active": False}
                )
        self._current_orders(profiles)
        self._stocktake()


def seed(*, admin) -> list[str]:
    """The orders part of the demo. Returns the usernames it created; a second run changes nothing."""
    people = seed_people(admin)
    products = seed_catalogue(admin)
    warehouses = seed_warehouses(admin)
    seed_price_lists(admin, products)
    if not Order.objects.exists():
        History(people=people, products=products, warehouses=warehouses).seed()
    return [username for username, *_rest in HQ_PEOPLE]
