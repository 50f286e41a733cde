"""The registry's sheets in the dataset format (core/dataset/), registered from RegistryConfig.ready.

Headers are Chinese (what an official types); each maps to a field key (what JSON uses and the
docs list, docs/import-format.md). References use natural keys: units and firms by credit code,
sites by code, systems by code, products by brand + model, a device's part by its name within the
system's site. Import order is the order below: a sheet refers only to sheets above it.
"""
from jifang.core.dataset import Column, Ref, Sheet, columns_for, register

from . import models as m
from . import services


UNIT_HEADERS = {
    "credit_code": "统一社会信用代码", "name": "单位名称", "kind": "单位性质", "district": "区县代码",
    "address": "地址", "contact_name": "联系人", "contact_phone": "联系电话",
    "person_in_charge_name": "主管责任人", "person_in_charge_phone": "主管责任人电话",
    "person_directly_responsible_name": "直接责任人", "person_directly_responsible_phone": "直接责任人电话",
}
FIRM_HEADERS = {
    "credit_code": "统一社会信用代码", "name": "企业名称", "district": "区县代码", "address": "地址",
    "contact_name": "联系人", "contact_phone": "联系电话", "does_design": "设计", "does_installation": "施工",
    "does_repair": "维修",
}
PRODUCT_HEADERS = {
    "brand": "品牌", "model": "型号", "product_type": "产品类型", "in_catalogue": "列入国家目录",
    "meets_standard": "符合标准", "standards": "执行标准",
}
SITE_HEADERS = {
    "code": "场所编码", "name": "场所名称", "unit": "单位统一社会信用代码", "district": "区县代码", "address": "地址",
    "art6_point": "第六条类别", "designation_number": "公安指定文号", "designation_date": "公安指定日期",
    "near_secret_unit": "邻近涉密单位", "secret_unit_consent_on": "涉密单位同意日期", "secret_unit_consent_ref": "涉密单位同意文号",
}
PART_HEADERS = {"site": "场所编码", "name": "部位名称", "area_kind": "区域类型", "privacy_spot": "可拍摄隐私部位"}
SYSTEM_HEADERS = {
    "code": "系统编码", "name": "系统名称", "site": "场所编码", "investor": "投资单位信用代码",
    "builder": "建设单位信用代码", "operator": "管理单位信用代码", "firm": "技防企业信用代码",
    "has_intrusion_alarm": "入侵报警", "has_audio_video": "语音图像", "has_access_control": "出入口控制",
    "has_explosive_inspection": "防爆安全检查", "status": "状态", "in_use_since": "投入使用日期",
    "acceptance_date": "验收日期", "acceptance_result": "验收结果", "acceptance_certificate": "验收证书编号",
    "reserved_interface": "预留联网接口", "police_connected": "已与公安联网", "police_connected_since": "联网日期",
    "retention_days": "存储天数", "is_public_area": "公共区域系统", "public_video_class": "视频系统分类",
}
DEVICE_HEADERS = {
    "serial": "序列号", "name": "设备名称", "system": "系统编码", "kind": "设备类型", "product": "产品品牌",
    "part": "安装部位", "gb28181_id": "国标编码", "dc09_account": "DC-09账号", "status": "状态",
    "installed_on": "安装日期", "signage": "提示标识",
}

# A device's product is two cells (brand, model); its part is named within its system's site.
PRODUCT_REF = Ref(
    "product", "产品品牌", m.Device._meta.get_field("product"), target=m.Product, lookup=("brand", "model"),
    extra_cells=(Column("product_model", "产品型号", m.Product._meta.get_field("model")),),
    export_paths=("product__brand", "product__model"),
)


def _part_context(values, current):
    system = values.get("system") or (current.system if current is not None else None)
    return (system.site_id,) if system is not None else None


PART_REF = Ref(
    "part", "安装部位", m.Device._meta.get_field("part"), target=m.SitePart, lookup=("site_id", "name"),
    context=_part_context, export_paths=("part__name",),
)


def register_sheets() -> None:
    register(Sheet("units", "单位", m.Unit, columns_for(m.Unit, UNIT_HEADERS)))
    register(Sheet("firms", "技防企业", m.Firm, columns_for(m.Firm, FIRM_HEADERS)))
    register(Sheet("products", "技防产品", m.Product, columns_for(m.Product, PRODUCT_HEADERS)))
    register(Sheet("sites", "场所", m.Site, columns_for(m.Site, SITE_HEADERS)))
    register(Sheet("site_parts", "部位", m.SitePart, columns_for(m.SitePart, PART_HEADERS)))
    register(Sheet("systems", "技防系统", m.SecuritySystem, columns_for(m.SecuritySystem, SYSTEM_HEADERS),
                   # the service's own hook (art_14 para 2); core.copies fills unit/district from the site
                   prepare=services._system_prepare, select_related=("site",)))
    register(Sheet("devices", "设备", m.Device,
                   columns_for(m.Device, DEVICE_HEADERS, refs={"product": PRODUCT_REF, "part": PART_REF}),
                   select_related=("system", "part")))
