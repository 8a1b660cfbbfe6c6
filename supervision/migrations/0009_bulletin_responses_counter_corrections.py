# Issue 9 items 1-4: a rectification request split from the responses filed against it
# (so the request can freeze with its bulletin), change history on bulletin lines and
# requests, the year's number counter, corrections, and what an issued bulletin printed
# (发文字号, 发文机关署名, 主送机关). Bulletins issued before keep the number and issuer their
# frozen files carry.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


OLD_ISSUER = "示范市人民政府督查局"  # the fixed name earlier bulletins were printed with


def copy_forward(apps, schema_editor):
    Bulletin = apps.get_model("supervision", "Bulletin")
    Rectification = apps.get_model("supervision", "Rectification")
    Response = apps.get_model("supervision", "RectificationResponse")
    Counter = apps.get_model("supervision", "BulletinCounter")
    last = {}
    for b in Bulletin.objects.exclude(number=None):
        # What the frozen files of earlier bulletins say.
        Bulletin.objects.filter(pk=b.pk).update(doc_number=f"〔{b.year}〕第{b.number}期",
                                                issuer=OLD_ISSUER)
        last[b.year] = max(last.get(b.year, 0), b.number)
    Counter.objects.bulk_create(Counter(year=y, last_number=n) for y, n in last.items())
    Response.objects.bulk_create(
        Response(rectification_id=r.pk, text=r.text, status=r.status,
                 submitted_at=r.submitted_at, submitted_by_id=r.submitted_by_id,
                 reviewed_at=r.reviewed_at, review_note=r.review_note,
                 created_at=r.submitted_at, created_by_id=r.submitted_by_id)
        for r in Rectification.objects.exclude(status="pending").exclude(submitted_at=None))


def copy_backward(apps, schema_editor):
    Rectification = apps.get_model("supervision", "Rectification")
    Response = apps.get_model("supervision", "RectificationResponse")
    for resp in Response.objects.order_by("rectification_id", "submitted_at", "pk"):
        Rectification.objects.filter(pk=resp.rectification_id).update(
            text=resp.text, status=resp.status, submitted_at=resp.submitted_at,
            submitted_by_id=resp.submitted_by_id, reviewed_at=resp.reviewed_at,
            review_note=resp.review_note)


class Migration(migrations.Migration):

    dependencies = [
        ('supervision', '0008_meeting_changes_response_files'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='BulletinCounter',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(unique=True, verbose_name='年度')),
                ('last_number', models.PositiveIntegerField(default=0, verbose_name='已用顺序号')),
            ],
            options={
                'verbose_name': '通报编号计数',
                'verbose_name_plural': '通报编号计数',
            },
        ),
        migrations.AddField(
            model_name='bulletin',
            name='corrects',
            field=models.ForeignKey(blank=True, help_text='本通报更正的已印发通报；原通报保持不变', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='corrections', to='supervision.bulletin', verbose_name='更正的通报'),
        ),
        migrations.AddField(
            model_name='bulletin',
            name='doc_number',
            field=models.CharField(blank=True, max_length=40, verbose_name='发文字号'),
        ),
        migrations.AddField(
            model_name='bulletin',
            name='issuer',
            field=models.CharField(blank=True, max_length=100, verbose_name='发文机关署名'),
        ),
        migrations.AddField(
            model_name='bulletin',
            name='recipients',
            field=models.CharField(blank=True, max_length=500, verbose_name='主送机关'),
        ),
        migrations.AddField(
            model_name='bulletinline',
            name='archived_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='归档时间'),
        ),
        migrations.AddField(
            model_name='bulletinline',
            name='created_at',
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='创建时间'),
        ),
        migrations.AddField(
            model_name='bulletinline',
            name='created_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人'),
        ),
        migrations.AddField(
            model_name='bulletinline',
            name='updated_at',
            field=models.DateTimeField(auto_now=True, verbose_name='更新时间'),
        ),
        migrations.AddField(
            model_name='rectification',
            name='archived_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='归档时间'),
        ),
        migrations.AddField(
            model_name='rectification',
            name='created_at',
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='创建时间'),
        ),
        migrations.AddField(
            model_name='rectification',
            name='created_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人'),
        ),
        migrations.AddField(
            model_name='rectification',
            name='updated_at',
            field=models.DateTimeField(auto_now=True, verbose_name='更新时间'),
        ),
        migrations.CreateModel(
            name='RectificationResponse',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('archived_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='归档时间')),
                ('text', models.TextField(verbose_name='整改情况')),
                ('status', models.CharField(choices=[('pending', '待整改反馈'), ('submitted', '已反馈'), ('returned', '已退回'), ('accepted', '已通过')], default='submitted', max_length=10, verbose_name='状态')),
                ('submitted_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='反馈时间')),
                ('reviewed_at', models.DateTimeField(blank=True, null=True, verbose_name='审核时间')),
                ('review_note', models.CharField(blank=True, max_length=200, verbose_name='审核意见')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
                ('rectification', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='responses', to='supervision.rectification', verbose_name='整改要求')),
                ('reviewed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='审核人')),
                ('submitted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='反馈人')),
            ],
            options={
                'verbose_name': '整改反馈',
                'verbose_name_plural': '整改反馈',
                'ordering': ['rectification', 'submitted_at', 'pk'],
            },
        ),
        migrations.RunPython(copy_forward, copy_backward),
        migrations.AlterModelOptions(
            name='rectification',
            options={'ordering': ['bulletin', 'unit__sort_order'], 'verbose_name': '整改要求', 'verbose_name_plural': '整改要求'},
        ),
        migrations.RemoveField(
            model_name='rectification',
            name='review_note',
        ),
        migrations.RemoveField(
            model_name='rectification',
            name='reviewed_at',
        ),
        migrations.RemoveField(
            model_name='rectification',
            name='status',
        ),
        migrations.RemoveField(
            model_name='rectification',
            name='submitted_at',
        ),
        migrations.RemoveField(
            model_name='rectification',
            name='submitted_by',
        ),
        migrations.RemoveField(
            model_name='rectification',
            name='text',
        ),
    ]
