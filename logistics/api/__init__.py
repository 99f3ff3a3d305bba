"""The logistics app's API, by topic: carriers, rate cards and vehicles (``fleet``); shipments with their tracking,
delivery, carriers' charges and KPIs (``shipments``); delivery plans (``plans``); delivery claims (``claims``)."""
