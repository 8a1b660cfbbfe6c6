# Meetings moved or cancelled with a reason (MeetingChange, the feed's SEQUENCE), files
# attached to action-item responses, and the 通报批评 section of a bulletin (issue 9 item 6).

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('supervision', '0007_messages_moved_to_notify'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='meeting',
            name='status',
            field=models.CharField(choices=[('scheduled', '按期举行'), ('cancelled', '已取消')], db_index=True, default='scheduled', max_length=12, verbose_name='状态'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='sequence',
            field=models.PositiveIntegerField(default=0, editable=False, help_text='每次改期或取消加一（日历订阅的 SEQUENCE，客户端据此更新日程）', verbose_name='修订次数'),
        ),
        migrations.AlterField(
            model_name='bulletinline',
            name='section',
            field=models.CharField(choices=[('red_projects', '红灯项目'), ('overdue_milestones', '节点超期'), ('missing_reports', '未按时报送进度'), ('overdue_items', '交办事项逾期'), ('criticised', '通报批评')], max_length=20, verbose_name='类别'),
        ),
        migrations.CreateModel(
            name='MeetingChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('moved', '改期'), ('cancelled', '取消')], max_length=12, verbose_name='变更')),
                ('old_date', models.DateField(verbose_name='原日期')),
                ('old_start_time', models.TimeField(verbose_name='原开始时间')),
                ('new_date', models.DateField(blank=True, null=True, verbose_name='新日期')),
                ('new_start_time', models.TimeField(blank=True, null=True, verbose_name='新开始时间')),
                ('reason', models.TextField(verbose_name='原因')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='时间')),
                ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='changes', to='supervision.meeting', verbose_name='会议')),
            ],
            options={
                'verbose_name': '会议变更',
                'verbose_name_plural': '会议变更',
                'ordering': ['at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='ResponseAttachment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('archived_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='归档时间')),
                ('kind', models.CharField(choices=[('photo', '照片'), ('document', '文件')], max_length=10, verbose_name='类型')),
                ('file', models.FileField(upload_to='action_items/%Y/%m/', verbose_name='文件')),
                ('original_name', models.CharField(max_length=200, verbose_name='原文件名')),
                ('mime_type', models.CharField(max_length=100, verbose_name='文件格式')),
                ('size', models.PositiveIntegerField(verbose_name='大小（字节）')),
                ('sha256', models.CharField(max_length=64, verbose_name='校验值')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
                ('event', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='attachments', to='supervision.actionitemevent', verbose_name='所附反馈')),
                ('item', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='attachments', to='supervision.actionitem', verbose_name='交办事项')),
            ],
            options={
                'verbose_name': '反馈附件',
                'verbose_name_plural': '反馈附件',
                'ordering': ['created_at', 'pk'],
            },
        ),
    ]
