"""Seed the technology routes and the Editors group."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TECHNOLOGIES = [
    ("sulfide", "Sulfide", "Sulfide solid electrolytes (e.g. argyrodites, Li2S-P2S5)."),
    ("oxide", "Oxide", "Oxide ceramic solid electrolytes (e.g. LLZO garnet)."),
    ("polymer", "Polymer", "Solid polymer electrolytes (e.g. PEO)."),
    ("halide", "Halide", "Halide solid electrolytes (e.g. Li3InCl6)."),
    ("semi_solid", "Semi-solid / hybrid", "Semi-solid or hybrid solid-liquid electrolyte cells."),
]

EDITOR_MODELS = ["company", "companyrelation", "facility", "milestone", "claim", "source",
                 "technology"]
# Editors may delete claims, relations and sources; a source that claims cite is protected
# by the database (PROTECT) and cannot be deleted while they cite it.
EDITOR_DELETABLE = ["claim", "companyrelation", "source"]


def seed(apps, schema_editor):
    Technology = apps.get_model("claims", "Technology")
    for slug, name, description in TECHNOLOGIES:
        Technology.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )

    # Permissions are normally created after all migrations; create them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Editors")
    codenames = [f"{action}_{model}" for model in EDITOR_MODELS
                 for action in ("add", "change", "view")]
    codenames += [f"delete_{model}" for model in EDITOR_DELETABLE]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="claims", codename__in=codenames)
    )


def unseed(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
