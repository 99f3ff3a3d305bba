"""The ``manage_lead_routing`` permission and the ``lead_desk`` group holding it, with read access to the
leads app in admin. HQ administrators hold every permission without a group."""

from django.db import migrations

ROUTING = ("assignmentrule", "manage_lead_routing", "Can manage assignment rules, lead sources and routing")
VIEWABLE = (
    ("lead", "lead"),
    ("leadtouch", "repeat enquiry"),
    ("assignment", "assignment"),
    ("assignmentrule", "assignment rule"),
    ("leadsource", "lead source"),
    ("followup", "follow-up"),
    ("dealregistration", "deal registration"),
    ("leadimport", "lead import"),
)


def create_group(apps, schema_editor):
    # Permissions are normally made after migrate; this runs inside it, so it makes the ones it needs.
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")

    def permission(model, codename, name):
        content_type, _created = ContentType.objects.get_or_create(app_label="leads", model=model)
        found, _created = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        return found

    group, _created = Group.objects.get_or_create(name="lead_desk")
    group.permissions.add(
        permission(*ROUTING),
        *(permission(model, f"view_{model}", f"Can view {label}") for model, label in VIEWABLE),
    )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="lead_desk").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0002_import_and_routing_permission"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
