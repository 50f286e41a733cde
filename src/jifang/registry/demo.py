"""The registry's part of the demo city (see jifang.core.demo): units, firms, products, sites and
their parts, systems and devices across Kunming's 14 districts.

Set-based: rows are built in memory a chunk of units at a time and written with bulk_create; the
copied district/unit/site columns of systems and devices are filled here exactly as
registry.services fills them. Every rule violation is planted on purpose, on a known share of
subjects, and written to ctx.manifest; everything else is compliant with the clauses checked on
registry data (art_6, 7, 13 para 1, 14 para 2, 15 para 2, 19 para 1).
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from jifang.core.divisions import DISTRICTS
from jifang.core.validators import credit_code_check_char

from .models import (
    PRIVATE_AREA_KINDS,
    AcceptanceResult,
    AreaKind,
    Device,
    DeviceKind,
    DeviceStatus,
    Firm,
    Product,
    ProductType,
    SecuritySystem,
    Site,
    SitePart,
    SystemStatus,
    Unit,
    UnitKind,
)

CHUNK_UNITS = 400   # units per write round: ~1,000 sites, ~10,000 devices
BATCH = 2000        # rows per INSERT (PostgreSQL allows 65,535 parameters per statement)

# Share of eligible subjects that get each planted defect (after the first eligible one, which
# always gets it, so that even a 60-site city holds every kind).
RATES = {
    "site_without_system": 0.04,
    "site_system_not_in_use": 0.03,
    "in_use_without_acceptance": 0.04,
    "no_reserved_interface": 0.03,
    "reserved_interface_unknown": 0.03,
    "short_retention": 0.04,
    "retention_unknown": 0.03,
    "camera_in_private_area": 0.10,   # of sites that have a private part
    "nonconforming_products": 0.025,  # of systems: their cameras are off-catalogue, no standard
    "product_unknown": 0.01,          # of systems: some devices have no product recorded
    "unit_kind_unknown": 0.03,
}

# ---- Chinese names ---------------------------------------------------------------------------------

SHORT = {code: name.removesuffix("区").removesuffix("彝族苗族自治县").removesuffix("回族彝族自治县")
         .removesuffix("彝族自治县").removesuffix("县").removesuffix("市") for code, name in DISTRICTS.items()}

ROADS = {
    "530102": ["人民中路", "东风西路", "翠湖南路", "青年路", "建设路", "学府路", "西昌路", "一二一大街", "龙泉路",
               "红锦路", "圆通街", "五一路", "华山南路", "海源北路"],
    "530103": ["北京路", "白塔路", "东风东路", "穿金路", "北辰大道", "沣源路", "世博路", "小康大道", "霖雨路",
               "联盟路", "金江路", "桃园街"],
    "530111": ["春城路", "关上中路", "世纪城路", "民航路", "吴井路", "拓东路", "金马路", "彩云北路", "广福路",
               "虹桥路", "官渡大道", "东三环"],
    "530112": ["滇池路", "前兴路", "西园路", "日新中路", "兴苑路", "金碧路", "福海路", "海埂路", "马街北路",
               "永昌路", "昌源中路", "碧鸡路"],
    "530113": ["铜都大道", "碧谷街", "兴业路", "体育路", "南桥路", "东川大道"],
    "530114": ["彩云南路", "春融街", "吴家营路", "雨花路", "洛龙路", "聚贤街", "锦绣大街", "呈贡大道"],
    "530115": ["昆阳街", "宝峰路", "郑和路", "月山路", "晋城大道"],
    "530124": ["永定街", "安定街", "北营路", "富民大道"],
    "530125": ["匡远街", "汇东路", "珠山路", "南门街", "宜良大道"],
    "530126": ["鹿阜街", "石林大道", "文笔路", "长湖路"],
    "530127": ["秀嵩街", "嵩阳路", "黄龙街", "杨林大道"],
    "530128": ["屏山街", "秀屏路", "环城路", "马鹿塘路"],
    "530129": ["仁德街", "凤梧路", "环城南路", "塘子路"],
    "530181": ["连然街", "昆钢大道", "太平新城大街", "金方路", "宁湖路", "大屯路"],
}

# Rough share of the city's sites by district (population and business density).
DISTRICT_WEIGHTS = {"530102": 14, "530103": 13, "530111": 16, "530112": 13, "530113": 3, "530114": 8,
                    "530115": 4, "530124": 2, "530125": 4, "530126": 3, "530127": 4, "530128": 3,
                    "530129": 3, "530181": 6}

PLACES = ["春城", "滇池", "翠湖", "金碧", "圆通", "金马", "碧鸡", "世博", "南屏", "东华", "金江", "北辰", "莲华",
          "海埂", "大观", "龙泉", "昙华", "银海", "同德", "顺城", "福德", "官南", "广福", "关上", "云山", "西华",
          "金星", "白龙", "小康", "润城", "阳光", "金色", "锦华", "彩云", "花语", "山水", "湖畔", "新亚洲", "七彩",
          "星耀", "万华", "雨花", "滇青", "云秀", "盘江", "鑫华", "宏达", "恒盛", "嘉和", "泰安", "祥云", "瑞丰"]

SURNAMES = ("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏"
            "薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙段雷钱汤尹黎易常武"
            "乔贺赖龚文普者字")
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
         "秀兰", "霞", "平", "刚", "桂英", "建华", "建国", "志强", "海燕", "文斌", "云", "丽华", "春梅", "晓东",
         "红梅", "国华", "玉兰", "金龙", "俊", "斌", "琳", "婷", "浩", "宇", "欣怡", "子涵", "梓轩", "晨", "鹏",
         "雪", "燕", "德华", "兴华", "萍", "红", "兰", "波", "辉", "宏", "丹", "雯", "丽萍", "永红", "正荣"]
MOBILE_PREFIXES = ["133", "135", "136", "137", "138", "139", "150", "151", "152", "158", "159", "180", "187",
                   "188", "189", "199"]

BANKS = ["中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "交通银行", "招商银行", "富滇银行",
         "中国邮政储蓄银行", "兴业银行", "中信银行", "浦发银行", "华夏银行", "民生银行", "光大银行", "平安银行",
         "云南红塔银行", "昆明农村商业银行"]
HOTEL_CHAINS = ["锦江之星", "如家酒店", "汉庭酒店", "全季酒店", "亚朵酒店", "维也纳酒店", "7天酒店"]
MALLS = ["恒隆广场", "顺城购物中心", "同德广场", "南亚风情第壹城", "万达广场", "爱琴海购物公园", "百盛购物中心",
         "金格百货", "王府井百货", "新西南商贸广场", "螺蛳湾国际商贸城", "西山万达广场", "呈贡吾悦广场"]
SUPERMARKETS = ["沃尔玛", "永辉超市", "家乐福", "盒马鲜生", "华润万家", "麦德龙"]
FIRM_NAMES = ["天网", "安创", "金盾", "瑞安", "联创", "卫士", "恒通", "华安", "中安", "博安", "鑫安", "云盾",
              "同创", "汇安", "盛世", "滇安", "智联", "天安", "宏图", "远望", "星辰", "腾达", "安信", "睿视"]
FIRM_SUFFIXES = ["安防科技有限公司", "智能工程有限公司", "电子工程有限公司", "科技股份有限公司", "安全技术有限公司",
                 "系统集成有限公司"]
METRO_STOPS = ["环城南路", "昆明火车站", "东部汽车客运站", "塘子巷", "东风广场", "五一路", "小西门", "北辰",
               "白龙路", "穿金路", "春城路", "呈贡大学城", "斗南", "南部汽车客运站", "西山公园", "金星"]

# ---- products: (brand, model, type, in catalogue, meets a standard, standards) ----------------------

PRODUCTS = [
    ("海康威视", "DS-2CD3T46WDV3-I3", ProductType.CAMERA, True, True, "GA/T 1127-2013"),
    ("海康威视", "DS-2CD2347G2-LU", ProductType.CAMERA, True, True, "GA/T 1127-2013"),
    ("海康威视", "DS-2DE4425IW-DE", ProductType.CAMERA, True, True, "GA/T 1127-2013"),
    ("大华", "DH-IPC-HFW2433M-I1", ProductType.CAMERA, True, True, "GA/T 1127-2013"),
    ("大华", "DH-SD49425XB-HNR", ProductType.CAMERA, True, True, "GA/T 1127-2013"),
    ("宇视", "IPC-B314-APKZ", ProductType.CAMERA, True, True, "GA/T 1127-2013"),
    ("天地伟业", "TC-C34WP", ProductType.CAMERA, True, True, "GA/T 1127-2013"),
    ("萤石", "C6CN", ProductType.CAMERA, False, True, "GB/T 28181-2016"),
    ("海康威视", "DS-7932N-R4", ProductType.RECORDER, True, True, "GA/T 1211-2014"),
    ("大华", "DH-NVR4416-HDS2", ProductType.RECORDER, True, True, "GA/T 1211-2014"),
    ("宇视", "NVR302-16E-B", ProductType.RECORDER, True, True, "GA/T 1211-2014"),
    ("海康威视", "DS-7816HQH-K2", ProductType.RECORDER, True, True, "GB 20815-2006"),
    ("霍尼韦尔", "VISTA-120", ProductType.ALARM_PANEL, True, True, "GB 12663-2019"),
    ("博世", "DS7400XI-CHI", ProductType.ALARM_PANEL, True, True, "GB 12663-2019"),
    ("艾礼富", "ALEPH-8", ProductType.ALARM_PANEL, False, True, "GB 12663-2019"),
    ("博世", "ISC-BPR2-WP12", ProductType.DETECTOR, True, True, "GB 10408.5-2000"),
    ("霍尼韦尔", "IS3016", ProductType.DETECTOR, True, True, "GB 10408.5-2000"),
    ("艾礼富", "ADI-800", ProductType.DETECTOR, True, True, "GB 10408.6-2009"),
    ("中控智慧", "inBio460", ProductType.ACCESS_CONTROLLER, True, True, "GB/T 37078-2018"),
    ("海康威视", "DS-K2604T", ProductType.ACCESS_CONTROLLER, True, True, "GB/T 37078-2018"),
    ("同方威视", "CX6040BI", ProductType.INSPECTION, True, True, "GB 15208.1-2018"),
    ("同方威视", "MT1200MA", ProductType.INSPECTION, True, True, "GB 15210-2018"),
]
# Off the catalogue and meeting no standard: what art_15 para 2 is about.
NONCONFORMING = [
    ("鑫视通", "XST-IPC200", ProductType.CAMERA, False, False, ""),
    ("宏视达", "HSD-N3208", ProductType.RECORDER, False, False, ""),
    ("安尔达", "AED-K8", ProductType.ALARM_PANEL, False, False, ""),
]
PRODUCT_TYPE_OF = {
    DeviceKind.CAMERA: ProductType.CAMERA, DeviceKind.NVR: ProductType.RECORDER, DeviceKind.DVR: ProductType.RECORDER,
    DeviceKind.ALARM_PANEL: ProductType.ALARM_PANEL, DeviceKind.DETECTOR: ProductType.DETECTOR,
    DeviceKind.ACCESS_CONTROLLER: ProductType.ACCESS_CONTROLLER, DeviceKind.INSPECTION: ProductType.INSPECTION,
}
SERIAL_PREFIX = {"海康威视": "HK", "大华": "DH", "宇视": "UV", "天地伟业": "TD", "萤石": "EZ", "霍尼韦尔": "HW",
                 "博世": "BS", "艾礼富": "AL", "中控智慧": "ZK", "同方威视": "NT", "鑫视通": "XS", "宏视达": "HS",
                 "安尔达": "AE"}

DETECTOR_NAMES = ["被动红外探测器", "双鉴探测器", "紧急报警按钮", "振动探测器", "门磁开关"]
KIND_NAMES = {DeviceKind.CAMERA: "摄像机", DeviceKind.NVR: "网络硬盘录像机", DeviceKind.DVR: "硬盘录像机",
              DeviceKind.ALARM_PANEL: "报警控制主机", DeviceKind.ACCESS_CONTROLLER: "门禁控制器",
              DeviceKind.INSPECTION: "X射线安检机"}


# ---- site archetypes ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Archetype:
    """A kind of unit and the sites it runs: names, parts, subsystems and device counts."""

    key: str
    point: int | None              # art_6 point of its sites (None: not a mandatory site)
    weight: float                  # share of sites
    unit_kind: str
    reg: str                       # credit code registration prefix: 91 company, 12 institution, 11 organ
    sites: tuple[int, int]         # sites per unit
    parts: tuple[tuple[str, str], ...]
    private: tuple[tuple[str, str], ...] = ()
    subsystems: str = "V"          # I intrusion, V audio-video, A access control, E explosive inspection
    cameras: tuple[int, int] = (4, 12)
    detectors: tuple[int, int] = (0, 0)
    industry: str = "02"           # GB/T 28181 industry code of its cameras
    public_area: bool = False
    system_share: float = 1.0      # non-mandatory sites: share that have a system at all


E, P, V, B, C, S, R, K, O, CT, OF, RD = (AreaKind.ENTRANCE, AreaKind.MAIN_PASSAGE, AreaKind.VAULT,
                                         AreaKind.BUSINESS_HALL, AreaKind.CASH_AREA, AreaKind.STORAGE,
                                         AreaKind.PERIMETER, AreaKind.PARKING, AreaKind.OTHER,
                                         AreaKind.CONTROL_ROOM, AreaKind.OFFICE, AreaKind.ROAD)
MONITOR = ("监控室", CT)

ARCHETYPES = [
    Archetype("utility", 1, 3, UnitKind.BUSINESS, "91", (2, 6),
              (("大门", E), ("厂区周界", R), ("主控楼", P), ("配电室", S), MONITOR), subsystems="IVA",
              cameras=(3, 8), detectors=(2, 6), industry="44"),
    Archetype("hazardous", 2, 1, UnitKind.BUSINESS, "91", (1, 2),
              (("库区大门", E), ("库房", S), ("库区周界", R), ("值班室", OF), MONITOR), subsystems="IVA",
              cameras=(3, 7), detectors=(3, 8), industry="42"),
    Archetype("secret", 3, 1, UnitKind.NON_BUSINESS, "11", (1, 2),
              (("办公楼出入口", E), ("机要室", V), ("档案室", S), ("走廊", P), MONITOR), subsystems="IVA",
              cameras=(1, 4), detectors=(2, 6), industry="02"),
    Archetype("museum", 4, 1.5, UnitKind.NON_BUSINESS, "12", (1, 2),
              (("主入口", E), ("展厅", B), ("文物库房", V), ("安检区", P), MONITOR),
              private=(("公共卫生间", AreaKind.PUBLIC_TOILET), ("母婴室", AreaKind.NURSING_ROOM)),
              subsystems="IVAE", cameras=(6, 17), detectors=(4, 12), industry="02"),
    Archetype("bank", 5, 10, UnitKind.BUSINESS, "91", (3, 8),
              (("营业大厅", B), ("现金区", C), ("金库", V), ("出入口", E), ("自助银行", P), MONITOR),
              subsystems="IVA", cameras=(4, 11), detectors=(3, 8), industry="51"),
    Archetype("media", 6, 2, UnitKind.BUSINESS, "91", (1, 4),
              (("大门", E), ("机房", S), ("播控中心", P), MONITOR), subsystems="IVA",
              cameras=(2, 7), detectors=(1, 4), industry="49"),
    Archetype("station", 7, 3, UnitKind.BUSINESS, "91", (1, 6),
              (("进站口", E), ("候车大厅", P), ("出站口", E), ("停车场出入口", K), MONITOR),
              private=(("公共卫生间", AreaKind.PUBLIC_TOILET), ("母婴室", AreaKind.NURSING_ROOM)),
              subsystems="VAE", cameras=(6, 17), industry="04"),
    Archetype("hotel", 8, 7, UnitKind.BUSINESS, "91", (1, 3),
              (("大堂", B), ("主出入口", E), ("电梯厅", P), ("地下停车场", K), MONITOR),
              private=(("客房楼层客房", AreaKind.HOTEL_ROOM), ("员工更衣室", AreaKind.CHANGING_ROOM),
                       ("公共卫生间", AreaKind.PUBLIC_TOILET)),
              subsystems="VA", cameras=(4, 13), industry="50"),
    Archetype("mall", 8, 4, UnitKind.BUSINESS, "91", (1, 2),
              (("正门", E), ("中庭", P), ("地下停车场", K), ("收银区", C), MONITOR),
              private=(("试衣间", AreaKind.FITTING_ROOM), ("母婴室", AreaKind.NURSING_ROOM),
                       ("公共卫生间", AreaKind.PUBLIC_TOILET)),
              subsystems="IVA", cameras=(8, 22), detectors=(2, 6), industry="53"),
    Archetype("school", 8, 12, UnitKind.NON_BUSINESS, "12", (1, 2),
              (("校门", E), ("教学楼主通道", P), ("周界", R), ("财务室", C), MONITOR),
              private=(("体育馆更衣室", AreaKind.CHANGING_ROOM), ("学生卫生间", AreaKind.PUBLIC_TOILET)),
              subsystems="IVA", cameras=(4, 13), detectors=(1, 4), industry="11"),
    Archetype("hospital", 8, 5, UnitKind.NON_BUSINESS, "12", (1, 3),
              (("门诊大厅", B), ("急诊通道", P), ("药房", S), ("收费处", C), MONITOR),
              private=(("母婴室", AreaKind.NURSING_ROOM), ("公共卫生间", AreaKind.PUBLIC_TOILET)),
              subsystems="IVA", cameras=(6, 17), detectors=(1, 4), industry="09"),
    Archetype("residential", 8, 16, UnitKind.BUSINESS, "91", (1, 5),
              (("小区大门", E), ("主干道", P), ("地下车库", K), ("周界", R), MONITOR),
              subsystems="VA", cameras=(4, 14), industry="52"),
    Archetype("venue", 8, 3, UnitKind.BUSINESS, "91", (1, 2),
              (("入口", E), ("主通道", P), ("停车场", K), MONITOR),
              private=(("更衣室", AreaKind.CHANGING_ROOM), ("公共卫生间", AreaKind.PUBLIC_TOILET)),
              subsystems="VA", cameras=(3, 8), industry="55"),
    Archetype("road", 9, 6, UnitKind.NON_BUSINESS, "11", (4, 12),
              (("路口", RD), ("路段", RD)), subsystems="V", cameras=(1, 4), industry="00", public_area=True),
    Archetype("designated", 10, 3, UnitKind.BUSINESS, "91", (1, 3),
              (("营业区", B), ("出入口", E), ("库房", S), MONITOR), subsystems="IV",
              cameras=(2, 6), detectors=(1, 4), industry="53"),
    Archetype("inn", None, 4, UnitKind.BUSINESS, "91", (1, 3),
              (("前台", B), ("出入口", E), ("走廊", P)),
              private=(("客房", AreaKind.HOTEL_ROOM), ("公共卫生间", AreaKind.PUBLIC_TOILET)),
              cameras=(1, 4), industry="50", system_share=0.8),
    Archetype("bath", None, 2, UnitKind.BUSINESS, "91", (1, 2),
              (("前台", B), ("出入口", E), ("休息大厅", P)),
              private=(("男宾浴区", AreaKind.PUBLIC_BATH), ("女宾浴区", AreaKind.PUBLIC_BATH),
                       ("更衣室", AreaKind.CHANGING_ROOM)),
              cameras=(1, 4), industry="50", system_share=0.7),
    Archetype("store", None, 10, UnitKind.BUSINESS, "91", (1, 6),
              (("收银台", C), ("卖场", B), ("出入口", E), ("仓库", S)),
              private=(("试衣间", AreaKind.FITTING_ROOM),), subsystems="IV", cameras=(1, 4),
              detectors=(1, 3), industry="53", system_share=0.6),
    Archetype("office", None, 10, UnitKind.BUSINESS, "91", (1, 2),
              (("大堂", B), ("出入口", E), ("办公区", OF), ("停车场", K)),
              private=(("员工休息室", AreaKind.OTHER_PRIVATE),), subsystems="VA", cameras=(1, 6),
              industry="53", system_share=0.5),
]


# ---- names, codes, addresses -----------------------------------------------------------------------

class Namer:
    """Plausible Chinese names, phones, addresses and codes, all drawn from the seed's rng."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.org_seq = 0

    def pick(self, seq):
        return seq[self.rng.randrange(len(seq))]

    def person(self) -> str:
        return self.pick(SURNAMES) + self.pick(GIVEN)

    def mobile(self) -> str:
        return self.pick(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def landline(self) -> str:
        return f"0871-6{self.rng.randrange(10**7):07d}"

    def place(self) -> str:
        return self.pick(PLACES)

    def road(self, district: str) -> str:
        return self.pick(ROADS[district])

    def address(self, district: str) -> str:
        return f"昆明市{DISTRICTS[district]}{self.road(district)}{self.rng.randint(1, 999)}号"

    def credit_code(self, reg: str, district: str) -> str:
        """GB 32100-2015: registration prefix, division, 9-character organisation code (GB 11714,
        with its own check digit), check character. The sequence keeps codes unique; multiplying by
        a number coprime with 10**8 spreads them so they do not look consecutive."""
        self.org_seq += 1
        body = f"{(self.org_seq * 7_654_321 + 1_234_567) % 10**8:08d}"
        total = sum(int(c) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
        check = 11 - total % 11
        org = body + {10: "X", 11: "0"}.get(check, str(check))
        first17 = reg + district + org
        return first17 + credit_code_check_char(first17)


def _unit_and_brand(nm: Namer, a: Archetype, d: str) -> tuple[str, str]:
    """The unit's registered name and the 'brand' its sites are named after."""
    short, full, place = SHORT[d], DISTRICTS[d], nm.place()
    match a.key:
        case "utility":
            kind = nm.pick([("云南电网有限责任公司昆明{s}供电局", "power"), ("昆明{s}供水有限公司", "water"),
                            ("昆明{s}燃气有限公司", "gas")])
            return kind[0].format(s=short), kind[1]
        case "hazardous":
            unit, store = nm.pick([("云南{p}民用爆炸物品有限公司", "民爆器材仓库"), ("昆明{p}化工有限公司", "危险化学品仓库"),
                                   ("云南{p}医药有限公司", "麻醉药品专库"), ("昆明{p}核技术应用有限公司", "放射源暂存库")])
            return unit.format(p=place), store
        case "secret":
            return nm.pick([f"中共{full}委员会办公室", f"{full}人民政府办公室", f"中共{full}委员会组织部",
                            f"{full}财政局", f"{full}档案馆"]), ""
        case "museum":
            return nm.pick([f"{full}博物馆", f"{place}纪念馆", f"{full}文物管理所", f"{place}美术馆", f"{place}展览馆"]), ""
        case "bank":
            return f"{(bank := nm.pick(BANKS))}股份有限公司昆明{short}支行", bank
        case "media":
            return nm.pick([(f"中国电信股份有限公司昆明{short}分公司", "通信机房"),
                            (f"中国移动通信集团云南有限公司昆明{short}分公司", "汇聚机房"),
                            (f"中国邮政集团有限公司昆明市{short}分公司", "邮政支局"),
                            (f"昆明{place}广播电视传媒有限公司", "发射台"), (f"云南{place}印务有限公司", "印务中心")])
        case "station":
            return nm.pick([(f"昆明{place}汽车客运有限公司", "汽车客运站"), ("昆明地铁运营有限公司", "地铁站"),
                            (f"昆明{place}停车管理有限公司", "公共停车场")])
        case "hotel":
            return f"昆明{place}酒店有限公司", place + nm.pick(["大酒店", "国际酒店", "温泉酒店", "假日酒店", "花园酒店"])
        case "inn":
            return f"昆明{place}酒店管理有限公司", nm.pick(HOTEL_CHAINS)
        case "mall":
            return f"昆明{place}商业管理有限公司", nm.pick(MALLS + [f"{place}购物中心", f"{place}商业广场"])
        case "school":
            return nm.pick([f"昆明市第{nm.rng.randint(1, 34)}中学", f"昆明市{full}{nm.road(d)}小学",
                            f"{full}{place}幼儿园", f"昆明市{place}职业技术学校", f"{full}{place}中学"]), ""
        case "hospital":
            return nm.pick([f"{full}人民医院", f"{full}中医医院", f"{full}妇幼保健院", f"昆明{place}医院",
                            f"{full}{nm.road(d)}社区卫生服务中心"]), ""
        case "residential":
            return f"云南{place}物业服务有限公司", ""
        case "venue":
            return f"昆明{place}文化娱乐有限公司", ""
        case "road":
            return f"昆明市公安局{short}分局", ""
        case "designated":
            return nm.pick([(f"昆明{place}珠宝有限公司", "珠宝"), (f"昆明{place}典当有限责任公司", "典当行"),
                            ("中国石化销售股份有限公司云南昆明石油分公司", "加油站"), (f"昆明{place}网络服务有限公司", "网吧")])
        case "bath":
            return f"昆明{place}休闲服务有限公司", place
        case "store":
            chain = nm.pick(SUPERMARKETS + [""] * 4)
            return (f"{chain}（昆明）商业有限公司", chain) if chain else (f"昆明{place}商贸有限公司", "")
        case _:
            return f"昆明{place}{nm.pick(['科技', '贸易', '投资', '物流', '建设'])}有限公司", place


def _site_name(nm: Namer, a: Archetype, d: str, unit: str, brand: str, i: int) -> str:
    place, road, short = nm.place(), nm.road(d), SHORT[d]
    match a.key:
        case "utility":
            return {"power": f"{place}{nm.pick(['110kV', '35kV', '220kV'])}变电站",
                    "water": f"{place}{nm.pick(['水厂', '加压泵站'])}", "gas": f"{place}{nm.pick(['燃气门站', '调压站'])}"}[brand]
        case "hazardous":
            return f"{short}{place}{brand}"
        case "secret":
            return unit + nm.pick(["机要室", "保密室", "涉密档案室"])
        case "bank":
            return f"{brand}昆明{short}支行营业部" if i == 0 else nm.pick(
                [f"{brand}昆明{road}支行", f"{brand}{road}分理处", f"{brand}{place}自助银行"])
        case "media":
            return f"{road}{brand}" if brand == "邮政支局" else f"{place}{brand}"
        case "station":
            return f"地铁{nm.rng.randint(1, 6)}号线{nm.pick(METRO_STOPS)}站" if brand == "地铁站" else f"昆明{place}{brand}"
        case "hotel" | "mall":
            return brand if i == 0 else f"{brand}（{place}店）"
        case "inn":
            return f"{brand}（昆明{road}店）"
        case "residential":
            return place + nm.pick(["小区", "花园", "家园", "苑", "雅居", "新城", "公寓"])
        case "venue":
            return place + nm.pick(["量贩式KTV", "国际影城", "体育馆", "文化广场", "健身中心"])
        case "road":
            other = nm.road(d)
            return f"{road}与{other}交叉口" if other != road else f"{road}{nm.rng.randint(1, 300)}号路段"
        case "designated":
            if brand == "珠宝":
                return f"{nm.pick(['周大福', '老凤祥', '周生生', '六福'])}珠宝（昆明{road}店）"
            return f"中国石化{place}加油站" if brand == "加油站" else f"{place}{brand}"
        case "bath":
            return brand + nm.pick(["洗浴中心", "温泉会所", "汗蒸馆", "足浴养生馆"])
        case "store":
            return f"{brand}（昆明{road}店）" if brand else place + nm.pick(["便利店", "服装店", "五金店", "超市"])
        case "office":
            return place + nm.pick(["大厦", "写字楼", "物流园", "产业园"])
        case _:  # school, hospital, museum: the unit itself, then its campuses or branches
            return unit if i == 0 else f"{unit}{place}{'校区' if a.key == 'school' else '分院' if a.key == 'hospital' else '分馆'}"


# ---- the builder -------------------------------------------------------------------------------------

@dataclass
class UnitPlan:
    archetype: Archetype
    district: str
    sites: int
    demo: bool = False  # the bank the demo unit user works for


class CityBuilder:
    """Writes the registry part of the demo city for one SeedContext."""

    def __init__(self, ctx):
        self.ctx, self.rng, self.nm = ctx, ctx.rng, Namer(ctx.rng)
        self.today: dt.date = ctx.today
        self.manifest = ctx.manifest
        # The first eligible subject of each defect always gets it, so small cities hold every kind.
        self.pending = {(name, None) for name in RATES} | {("site_without_system", p) for p in range(1, 11)}
        self.seq = {"site": 0, "system": 0, "device": 0, "panel": 0}
        self.gb_serials: dict[str, int] = {}
        self.sites_done = 0

    # -- helpers --

    def chance(self, defect: str, variant=None) -> bool:
        key = (defect, variant)
        if key in self.pending:
            self.pending.discard(key)
            return True
        return self.rng.random() < RATES[defect]

    def day_between(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randrange(max(1, (end - start).days)))

    def bulk(self, objects: list) -> list:
        if objects:
            type(objects[0]).objects.bulk_create(objects, batch_size=BATCH)
            self.ctx.created(objects)
        return objects

    # -- catalogue and firms --

    def products(self) -> None:
        rows = self.bulk([Product(brand=b, model=m, product_type=t, in_catalogue=c, meets_standard=s, standards=st)
                          for b, m, t, c, s, st in PRODUCTS + NONCONFORMING])
        self.conforming: dict[str, list[Product]] = {}
        self.nonconforming: dict[str, Product] = {}
        for p in rows:
            if p.in_catalogue or p.meets_standard:
                self.conforming.setdefault(p.product_type, []).append(p)
            else:
                self.nonconforming[p.product_type] = p

    def firms(self) -> None:
        count = max(12, self.ctx.scale // 400)
        firms = []
        for i in range(count):
            d = self.district(i)
            name = f"{'云南' if i % 3 else '昆明'}{FIRM_NAMES[i % len(FIRM_NAMES)]}{FIRM_SUFFIXES[(i // len(FIRM_NAMES)) % len(FIRM_SUFFIXES)]}"
            if i >= len(FIRM_NAMES) * len(FIRM_SUFFIXES):
                name = name.replace("有限公司", f"{SHORT[d]}分公司")
            firms.append(Firm(name=name, credit_code=self.nm.credit_code("91", d), district_id=d,
                              address=self.nm.address(d), contact_name=self.nm.person(), contact_phone=self.nm.mobile(),
                              does_design=self.rng.random() < 0.8, does_repair=self.rng.random() < 0.9))
        self.bulk(firms)
        self.firms_by_district: dict[str, list[Firm]] = {}
        for f in firms:
            self.firms_by_district.setdefault(f.district_id, []).append(f)
        self.all_firms = firms

    def district(self, i: int) -> str:
        """Every district in turn first (so each holds sites even in a small city), then by weight."""
        codes = list(DISTRICT_WEIGHTS)
        if i < len(codes):
            return codes[i]
        return self.rng.choices(codes, weights=list(DISTRICT_WEIGHTS.values()))[0]

    # -- planning --

    def plan(self) -> list[UnitPlan]:
        """Units and their site counts until the city has exactly `scale` sites. Every archetype
        comes first once; the demo bank (several sites, in 五华区) is the first bank."""
        weights = [a.weight / (sum(a.sites) / 2) for a in ARCHETYPES]  # weights are shares of sites
        plans, total = [], 0
        while total < self.ctx.scale:
            i = len(plans)
            a = ARCHETYPES[i] if i < len(ARCHETYPES) else self.rng.choices(ARCHETYPES, weights=weights)[0]
            d = self.district(i)
            n = self.rng.randint(*a.sites)
            demo = a.key == "bank" and i < len(ARCHETYPES)
            if demo:
                d, n = "530102", 4
            n = min(n, self.ctx.scale - total)
            plans.append(UnitPlan(a, d, n, demo))
            total += n
        return plans

    # -- units and sites --

    def unit(self, p: UnitPlan) -> tuple[Unit, str]:
        name, brand = _unit_and_brand(self.nm, p.archetype, p.district)
        kind = UnitKind.UNKNOWN if self.chance("unit_kind_unknown") else p.archetype.unit_kind
        nm = self.nm
        unit = Unit(name=name, credit_code=nm.credit_code(p.archetype.reg, p.district), kind=kind,
                    district_id=p.district, address=nm.address(p.district), contact_name=nm.person(),
                    contact_phone=nm.landline(), person_in_charge_name=nm.person(), person_in_charge_phone=nm.mobile(),
                    person_directly_responsible_name=nm.person(), person_directly_responsible_phone=nm.mobile())
        return unit, brand

    def site(self, p: UnitPlan, unit: Unit, brand: str, i: int) -> Site:
        self.seq["site"] += 1
        a = p.archetype
        site = Site(code=f"S{p.district}{self.seq['site']:07d}", name=_site_name(self.nm, a, p.district, unit.name, brand, i),
                    unit_id=unit.pk, district_id=p.district, address=self.nm.address(p.district), art6_point=a.point)
        if a.point == 10:
            site.designation_date = self.day_between(dt.date(2013, 3, 1), self.today - dt.timedelta(days=30))
            site.designation_number = f"昆公技指〔{site.designation_date.year}〕{self.rng.randint(1, 240)}号"
        return site

    def fate(self, a: Archetype, site: Site) -> str:
        """'ok' (a system in use), 'idle' (systems, none in use) or 'none' (no system at all)."""
        if a.point is None:
            return "ok" if self.rng.random() < a.system_share else "none"
        fate = "none" if self.chance("site_without_system", a.point) else (
            "idle" if self.chance("site_system_not_in_use") else "ok")
        if fate != "ok":
            self.manifest.plant(f"art_6__para_1__point_{a.point}", site.code)
        return fate

    def parts(self, a: Archetype, site: Site) -> list[SitePart]:
        return [SitePart(site_id=site.pk, name=name, area_kind=kind) for name, kind in a.parts + a.private]

    # -- systems --

    SUBSYSTEM_NAMES = {"V": "视频监控系统", "I": "入侵报警系统", "A": "出入口控制系统", "E": "防爆安全检查系统"}

    def systems(self, a: Archetype, site: Site, fate: str, firm: Firm | None) -> list[SecuritySystem]:
        if fate == "none":
            return []
        status = SystemStatus.IN_USE if fate == "ok" else self.rng.choice(
            [SystemStatus.PLANNED, SystemStatus.UNDER_CONSTRUCTION, SystemStatus.ACCEPTED, SystemStatus.SUSPENDED])
        systems = [self.system(a, site, status, firm)]
        if self.rng.random() < 0.06:  # an old system kept on file, or the next one being planned
            systems.append(self.system(a, site, self.rng.choice([SystemStatus.RETIRED, SystemStatus.PLANNED]), firm))
        return systems

    def system(self, a: Archetype, site: Site, status: str, firm: Firm | None) -> SecuritySystem:
        self.seq["system"] += 1
        flags = a.subsystems
        label = self.SUBSYSTEM_NAMES[flags] if len(flags) == 1 else "安防集成系统"
        if status == SystemStatus.RETIRED:
            label = "原" + label
        s = SecuritySystem(
            code=f"JF{site.district_id}{self.seq['system']:07d}", name=f"{site.name}{label}", site_id=site.pk,
            # the copies registry.services keeps: a system's unit and district are its site's
            unit_id=site.unit_id, district_id=site.district_id,
            investor_id=site.unit_id, builder_id=site.unit_id, operator_id=site.unit_id,
            firm_id=(firm or self.firm_near(site.district_id)).pk,
            has_intrusion_alarm="I" in flags, has_audio_video="V" in flags, has_access_control="A" in flags,
            has_explosive_inspection="E" in flags, status=status, is_public_area=a.public_area,
        )
        self.acceptance(s)
        self.interface(s)
        self.retention(s)
        return s

    def firm_near(self, district: str) -> Firm:
        local = self.firms_by_district.get(district)
        return self.nm.pick(local if local and self.rng.random() < 0.8 else self.all_firms)

    def acceptance(self, s: SecuritySystem) -> None:
        """Acceptance facts; art_14 para 2 is planted on systems in use."""
        if s.status in (SystemStatus.PLANNED, SystemStatus.UNDER_CONSTRUCTION):
            return
        latest = self.today - dt.timedelta(days=60)
        if s.status == SystemStatus.IN_USE and self.chance("in_use_without_acceptance"):
            self.manifest.plant("art_14__para_2", s.code)
            s.in_use_since = self.day_between(dt.date(2015, 1, 1), latest)
            if self.rng.random() < 0.4:  # accepted and failed, used anyway
                s.acceptance_result, s.acceptance_date = AcceptanceResult.FAILED, s.in_use_since - dt.timedelta(days=20)
            return
        # Legacy systems from before the 2013 order are on file too.
        s.acceptance_date = self.day_between(dt.date(2009, 1, 1), latest)
        s.acceptance_result = AcceptanceResult.PASSED
        s.acceptance_certificate = f"昆公技验字〔{s.acceptance_date.year}〕第{self.rng.randint(1, 2400):04d}号"
        if s.status != SystemStatus.ACCEPTED:
            s.in_use_since = s.acceptance_date + dt.timedelta(days=self.rng.randint(0, 30))

    def interface(self, s: SecuritySystem) -> None:
        """Reserved police interface (art_13 para 1, for accepted and running systems)."""
        if s.status in (SystemStatus.ACCEPTED, SystemStatus.IN_USE):
            if self.chance("no_reserved_interface"):
                s.reserved_interface = False
                self.manifest.plant("art_13__para_1", s.code)
            elif self.chance("reserved_interface_unknown"):
                s.reserved_interface = None
                self.manifest.plant_undetermined("art_13__para_1", s.code)
            else:
                s.reserved_interface = True
        else:
            s.reserved_interface = self.rng.choice([True, True, None])
        if s.reserved_interface and s.status == SystemStatus.IN_USE and s.in_use_since and \
                self.rng.random() < (0.9 if s.is_public_area else 0.45):
            s.police_connected = True
            s.police_connected_since = min(self.today, s.in_use_since + dt.timedelta(days=self.rng.randint(0, 400)))

    def retention(self, s: SecuritySystem) -> None:
        """Recording retention in days (art_19 para 1: at least 30 for audio-video systems in use)."""
        if not s.has_audio_video:
            return
        if s.status != SystemStatus.IN_USE:
            s.retention_days = self.rng.choice([15, 30, 30, 60, None])
        elif self.chance("short_retention"):
            s.retention_days = self.rng.choice([7, 10, 14, 15, 20, 29])
            self.manifest.plant("art_19__para_1", s.code)
        elif self.chance("retention_unknown"):
            self.manifest.plant_undetermined("art_19__para_1", s.code)
        else:
            s.retention_days = self.rng.choice([30, 30, 30, 31, 45, 60, 90, 180])

    # -- devices --

    def devices(self, a: Archetype, site: Site, s: SecuritySystem, parts: list[SitePart]) -> list[Device]:
        """The devices of one system; art_7 and art_15 para 2 are planted here."""
        if s.status in (SystemStatus.PLANNED, SystemStatus.RETIRED):
            return []
        public = [p for p in parts if p.area_kind not in PRIVATE_AREA_KINDS]
        private = [p for p in parts if p.area_kind in PRIVATE_AREA_KINDS]
        monitor = next((p for p in parts if p.area_kind == AreaKind.CONTROL_ROOM), None)
        doors = [p for p in public if p.area_kind in (AreaKind.ENTRANCE, AreaKind.MAIN_PASSAGE)] or public
        av = s.has_audio_video
        flags = {"nonconforming": av and self.chance("nonconforming_products"),
                 "unknown": self.chance("product_unknown")}
        plan: list[tuple[str, SitePart | None, bool]] = []  # (kind, part, planted in a private area)
        if av:
            cameras = self.rng.randint(*a.cameras) // (2 if s.status == SystemStatus.UNDER_CONSTRUCTION else 1) or 1
            plan += [(DeviceKind.CAMERA, self.nm.pick(public), False) for _ in range(cameras)]
            recorder = DeviceKind.DVR if cameras < 8 and self.rng.random() < 0.3 else DeviceKind.NVR
            plan += [(recorder, monitor, False)] * (-(-cameras // 32))
            if private and self.chance("camera_in_private_area"):
                plan += [(DeviceKind.CAMERA, self.nm.pick(private), True) for _ in range(self.rng.randint(1, 2))]
        if s.has_intrusion_alarm:
            plan.append((DeviceKind.ALARM_PANEL, monitor or public[0], False))
            plan += [(DeviceKind.DETECTOR, self.nm.pick(public), False) for _ in range(self.rng.randint(*a.detectors))]
            if private and self.rng.random() < 0.15:  # a panic button in a changing room is allowed (not audio-video)
                plan.append((DeviceKind.DETECTOR, self.nm.pick(private), False))
        if s.has_access_control:
            plan += [(DeviceKind.ACCESS_CONTROLLER, self.nm.pick(doors), False) for _ in range(self.rng.randint(1, 4))]
        if s.has_explosive_inspection:
            plan += [(DeviceKind.INSPECTION, self.nm.pick(doors), False) for _ in range(self.rng.randint(1, 3))]
        return [self.device(a, site, s, kind, part, i, spy, flags) for i, (kind, part, spy) in enumerate(plan)]

    def device(self, a, site, s, kind, part, i, spy, flags) -> Device:
        self.seq["device"] += 1
        product, clause_state = self.product_for(kind, i, flags)
        installed = self.installed_on(s)
        d = Device(
            serial=f"{SERIAL_PREFIX.get(product.brand, 'XX') if product else 'XX'}{installed:%y%m}{self.seq['device']:08d}",
            name=f"{part.name if part else ''}{self.device_label(kind)}{i + 1:02d}", system_id=s.pk,
            # the copies registry.services keeps: a device's site, unit and district are its system's
            site_id=s.site_id, unit_id=s.unit_id, district_id=s.district_id,
            kind=kind, product_id=product.pk if product else None, part_id=part.pk if part else None,
            installed_on=installed, status=self.device_status(planted=spy or clause_state is not None),
        )
        if kind in (DeviceKind.CAMERA, DeviceKind.NVR) and s.reserved_interface:
            d.gb28181_id = self.gb_id(s, a, "118" if kind == DeviceKind.NVR else self.rng.choice(["132"] * 4 + ["131"]))
        if kind == DeviceKind.ALARM_PANEL:
            self.seq["panel"] += 1
            d.dc09_account = f"{self.seq['panel']:06X}"
        if spy:
            self.manifest.plant("art_7__para_1", d.serial)
        if clause_state == "planted":
            self.manifest.plant("art_15__para_2", d.serial)
        elif clause_state == "undetermined":
            self.manifest.plant_undetermined("art_15__para_2", d.serial)
        return d

    def product_for(self, kind, i, flags) -> tuple[Product | None, str | None]:
        ptype = PRODUCT_TYPE_OF[kind]
        if flags["nonconforming"] and ptype in self.nonconforming:
            return self.nonconforming[ptype], "planted"
        if flags["unknown"] and i % 3 == 0:  # legacy devices registered without their product
            return None, "undetermined"
        return self.nm.pick(self.conforming[ptype]), None

    def device_label(self, kind) -> str:
        if kind == DeviceKind.DETECTOR:
            return self.nm.pick(DETECTOR_NAMES)
        if kind == DeviceKind.INSPECTION:
            return self.nm.pick(["X射线安检机", "通过式金属探测门"])
        return KIND_NAMES[kind]

    def device_status(self, *, planted: bool) -> str:
        """Mostly active. Removed devices are never planted ones, so the checks that skip removed
        devices and those that do not agree on the manifest."""
        roll = self.rng.random()
        if roll < 0.04:
            return DeviceStatus.OFFLINE
        if roll < 0.06:
            return DeviceStatus.FAULTY
        return DeviceStatus.REMOVED if roll < 0.07 and not planted else DeviceStatus.ACTIVE

    def installed_on(self, s: SecuritySystem) -> dt.date:
        if s.acceptance_date:
            return s.acceptance_date - dt.timedelta(days=self.rng.randint(5, 60))
        if s.in_use_since:
            return s.in_use_since - dt.timedelta(days=self.rng.randint(0, 30))
        return self.today - dt.timedelta(days=self.rng.randint(0, 90))

    def gb_id(self, s: SecuritySystem, a: Archetype, type_code: str) -> str | None:
        """GB/T 28181: centre (division + 2) | industry | type | network | 6-digit serial."""
        network = "0" if a.public_area or s.police_connected else "8"  # 0 alarm network, 8 social resources
        prefix = f"{s.district_id}00{a.industry}{type_code}{network}"
        n = self.gb_serials.get(prefix, 0) + 1
        if n > 999_999:
            return None
        self.gb_serials[prefix] = n
        return f"{prefix}{n:06d}"

    # -- writing --

    def write(self, plans: list[UnitPlan]) -> None:
        """One round: units, then their sites, parts, systems and devices, each one bulk insert."""
        named = [self.unit(p) for p in plans]
        self.bulk([u for u, _ in named])
        for p, (u, _) in zip(plans, named, strict=True):
            if p.demo:
                self.ctx.keys.update(bank_unit=u.credit_code, bank_unit_id=u.pk)
        sites = [(p, self.site(p, u, brand, i)) for p, (u, brand) in zip(plans, named, strict=True) for i in range(p.sites)]
        self.bulk([site for _, site in sites])
        fates = [self.fate(p.archetype, site) for p, site in sites]
        parts = [self.parts(p.archetype, site) for p, site in sites]
        self.bulk([part for group in parts for part in group])
        demo_bank = self.ctx.keys.get("bank_unit_id")
        systems = [self.systems(p.archetype, site, fate, self.demo_firm if site.unit_id == demo_bank else None)
                   for (p, site), fate in zip(sites, fates, strict=True)]
        self.bulk([s for group in systems for s in group])
        devices = [d for (p, site), group, site_parts in zip(sites, systems, parts, strict=True)
                   for s in group for d in self.devices(p.archetype, site, s, site_parts)]
        self.bulk(devices)
        self.sites_done += len(sites)
        self.ctx.progress("registry", self.sites_done, self.ctx.scale)

    def run(self) -> None:
        self.products()
        self.firms()
        # The demo accounts need a bank with several sites in 五华区 and the firm that serves it.
        self.demo_firm = self.firms_by_district["530102"][0]
        plans = self.plan()
        for start in range(0, len(plans), CHUNK_UNITS):
            self.write(plans[start:start + CHUNK_UNITS])
        self.ctx.keys["demo_firm"] = self.demo_firm.credit_code
        self.ctx.keys["demo_firm_id"] = self.demo_firm.pk


def seed(ctx) -> None:
    """The registry's demo hook (called first by jifang.core.demo.seed_city)."""
    CityBuilder(ctx).run()
