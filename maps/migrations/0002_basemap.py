# The offline basemap's own lines and areas (roads, water, the city's outline).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("maps", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="BasemapFeature",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("kind", models.CharField(choices=[("area", "行政区域"), ("water", "水系"),
                                                   ("road", "道路")],
                                          db_index=True, max_length=10, verbose_name="类型")),
                ("name", models.CharField(blank=True, max_length=100, verbose_name="名称")),
                ("rank", models.PositiveSmallIntegerField(
                    default=2, help_text="道路：1 高速/环路，2 主干路，3 次干路",
                    verbose_name="等级")),
                ("geometry", models.JSONField(verbose_name="几何（GeoJSON，经纬度）")),
                ("sort_order", models.PositiveIntegerField(default=0, verbose_name="绘制顺序")),
            ],
            options={
                "verbose_name": "底图要素",
                "verbose_name_plural": "底图要素",
                "ordering": ["sort_order", "id"],
            },
        ),
    ]
