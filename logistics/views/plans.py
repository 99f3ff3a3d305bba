"""HQ pages of delivery plans: the list with a form to plan a warehouse's day, the review page (routes drawn over
the stops' coordinates, the saving against the naive plan, moving stops, locking routes, optimising again,
dispatching), a printable route sheet per vehicle, and the driver's phone page."""

import datetime

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from dms.forms import FormPageMixin, flash_form_errors, run_service
from dms.views import HQ, RoleRequiredMixin, ScopedDetailView, ScopedListView
from logistics import forms as logistics_forms
from logistics import routing, selectors, services
from logistics.models import DeliveryPlan, Shipment
from orders import services as orders


class FleetPageMixin:
    allowed_roles = HQ
    may_use = staticmethod(selectors.can_see_plans)


class PlanListView(FleetPageMixin, ScopedListView):
    selector = selectors.plan_list
    template_name = "logistics/plan_list.html"
    context_object_name = "plans"

    def get_context_data(self, **kwargs):
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        form = kwargs.pop("request_form", None) or logistics_forms.PlanRequestForm(initial={"date": tomorrow})
        return super().get_context_data(request_form=form, **kwargs)


class PlanRequestView(FleetPageMixin, RoleRequiredMixin, View):
    def post(self, request):
        form = logistics_forms.PlanRequestForm(request.POST)
        if form.is_valid():
            result = run_service(form, services.delivery_plan_request, actor=request.user, **form.cleaned_data)
            if result is not None:
                plan, _created = result
                messages.success(request, _("The plan is being worked out: this page shows it when it is ready."))
                return redirect("logistics:plan_detail", plan.pk)
        flash_form_errors(request, form)
        return redirect("logistics:plans")


class PlanDetailView(FleetPageMixin, ScopedDetailView):
    selector = selectors.plan_detail_queryset
    template_name = "logistics/plan_detail.html"
    context_object_name = "plan"

    def get_context_data(self, **kwargs):
        plan = self.object
        routes = list(plan.routes.all())
        unplanned_ids = [row["shipment"] for row in plan.unplanned]
        unplanned = selectors.shipments_in_scope(user=self.request.user).filter(pk__in=unplanned_ids).in_bulk()
        may_ship = orders.can(self.request.user, "ship_order")
        chart = {
            "depot": [float(plan.warehouse.longitude or 0), float(plan.warehouse.latitude or 0), str(plan.warehouse)],
            "routes": [
                {
                    "name": route.vehicle.plate,
                    "stops": [
                        [float(s.shipment.longitude), float(s.shipment.latitude), s.shipment.dealer.name, s.sequence]
                        for s in route.stops.all()
                    ],
                }
                for route in routes
            ],
            "unplanned": [
                [float(s.longitude), float(s.latitude), s.dealer.name]
                for s in unplanned.values()
                if s.latitude is not None and s.longitude is not None
            ],
        }
        return super().get_context_data(
            routes=routes,
            unplanned=[
                {"shipment": unplanned[row["shipment"]], "reason": routing.REASONS.get(row["reason"], row["reason"])}
                for row in plan.unplanned
                if row["shipment"] in unplanned
            ],
            chart=chart,
            stop_count=sum(len(route.stops.all()) for route in routes),
            can_change=may_ship and plan.status == DeliveryPlan.Status.READY,
            can_replan=may_ship and plan.status in (DeliveryPlan.Status.READY, DeliveryPlan.Status.FAILED),
            working=plan.status in (DeliveryPlan.Status.QUEUED, DeliveryPlan.Status.SOLVING),
            **kwargs,
        )


class PlanActionView(FormPageMixin, FleetPageMixin, RoleRequiredMixin, View):
    """A POST-only action on a plan; a refusal is a message on the plan's page."""

    done_message = ""

    def form_page_url(self, *, pk, **kwargs):
        return reverse("logistics:plan_detail", args=[pk])

    def post(self, request, pk):
        plan = get_object_or_404(selectors.plan_list(user=request.user), pk=pk)
        form = logistics_forms.ActionForm(request.POST)
        if run_service(form, self.perform, plan=plan) is not None:
            messages.success(request, self.done_message)
        else:
            flash_form_errors(request, form)
        return redirect("logistics:plan_detail", plan.pk)

    def perform(self, *, plan):
        raise NotImplementedError


class PlanReoptimiseView(PlanActionView):
    done_message = gettext_lazy("The plan is being worked out again; locked routes stay as they are.")

    def perform(self, *, plan):
        return services.delivery_plan_reoptimise(actor=self.request.user, plan=plan)


class PlanDispatchView(PlanActionView):
    done_message = gettext_lazy("Plan dispatched: every shipment on it is on its way and invoiced.")

    def perform(self, *, plan):
        return services.delivery_plan_dispatch(actor=self.request.user, plan=plan)


class PlanMoveStopView(PlanActionView):
    done_message = gettext_lazy("Stop moved; both routes are locked as they are now.")

    def perform(self, *, plan):
        shipment, route = self.request.POST.get("shipment", ""), self.request.POST.get("route", "")
        if not (shipment.isdigit() and route.isdigit()):
            raise services.RouteInfeasible(_("Choose the route to move the stop to."), code="not_in_plan")
        return services.delivery_plan_move_stop(
            actor=self.request.user, plan=plan, shipment_id=int(shipment), route_id=int(route)
        )


class PlanLockRouteView(PlanActionView):
    done_message = gettext_lazy("Route updated.")

    def perform(self, *, plan):
        route = self.request.POST.get("route", "")
        if not route.isdigit():
            raise services.RouteInfeasible(_("No such stop or route in this plan."), code="not_in_plan")
        locked = self.request.POST.get("locked") == "1"
        return services.delivery_plan_lock_route(actor=self.request.user, plan=plan, route_id=int(route), locked=locked)


class RouteSheetView(FleetPageMixin, ScopedDetailView):
    """One vehicle's route on paper: stops in order with addresses, windows, goods and a column to sign."""

    selector = selectors.route_detail_queryset
    template_name = "logistics/route_sheet.html"
    context_object_name = "route"


class DriverRouteView(FleetPageMixin, ScopedDetailView):
    """The driver's phone page: the day's stops in order, each with a form to record what was delivered."""

    selector = selectors.route_detail_queryset
    template_name = "logistics/driver_route.html"
    context_object_name = "route"

    def get_context_data(self, **kwargs):
        stops = list(self.object.stops.all())
        for stop in stops:
            shipment = stop.shipment
            on_the_way = shipment.status in (Shipment.Status.IN_TRANSIT, Shipment.Status.EXCEPTION)
            stop.form = (
                logistics_forms.DeliveryForm(shipment=shipment, auto_id=f"stop-{stop.pk}-%s") if on_the_way else None
            )
        done = sum(1 for stop in stops if stop.shipment.status == Shipment.Status.DELIVERED)
        return super().get_context_data(stops=stops, done=done, **kwargs)
