"""The demo's catalogue, warehouses, tier and dealer prices, and the head-office people who work the demo."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import Group
from django.utils import timezone

from dealers.demo import DEMO_DEALER_CODE, DEMO_PASSWORD
from dealers.models import Dealer, Region
from orders import services
from orders.models import PriceList, Product, ProductLine, Warehouse

# code, name, English name, SKU prefix
LINES = [
    ("kitchen", "厨房电器", "Kitchen appliances", "KT"),
    ("air-conditioning", "空调", "Air conditioning", "AC"),
    ("laundry", "洗衣机", "Laundry", "WM"),
    ("refrigeration", "冰箱", "Refrigeration", "RF"),
    ("small-appliances", "生活电器", "Small appliances", "SA"),
]
# One product a line: SKU (its first part names the product line), sales unit, pack size, base price incl. VAT
# (CNY), weight (kg), volume (m³), name, English name.
PRODUCTS = """
KT-CXW-17A  | piece  | 1 |  1999 |  22 | 0.28  | 侧吸式油烟机 17m³/min | Side-draft hood, 17 m³/min
KT-CXW-20A  | piece  | 1 |  2599 |  22 | 0.28  | 侧吸式油烟机 20m³/min | Side-draft hood, 20 m³/min
KT-CXW-23A  | piece  | 1 |  3299 |  22 | 0.28  | 侧吸式油烟机 23m³/min 大吸力 | Side-draft hood, 23 m³/min, high suction
KT-CXW-25B  | piece  | 1 |  3999 |  22 | 0.28  | 侧吸式油烟机 25m³/min 挥手智控 | Side-draft hood, 25 m³/min, gesture
KT-DXW-18A  | piece  | 1 |  1699 |  25 | 0.32  | 顶吸式油烟机 18m³/min | T-shaped range hood, 18 m³/min
KT-DXW-21A  | piece  | 1 |  2299 |  25 | 0.32  | 顶吸式油烟机 21m³/min | T-shaped range hood, 21 m³/min
KT-JZ-45A   | piece  | 1 |   999 |   9 | 0.06  | 嵌入式燃气灶 4.5kW 钢化玻璃 | Built-in gas hob, 4.5 kW tempered glass
KT-JZ-50A   | piece  | 1 |  1299 |   9 | 0.06  | 嵌入式燃气灶 5.0kW 钢化玻璃 | Built-in gas hob, 5.0 kW tempered glass
KT-JZ-52B   | piece  | 1 |  1499 |   9 | 0.06  | 嵌入式燃气灶 5.2kW 不锈钢 | Built-in gas hob, 5.2 kW stainless steel
KT-XDG-90A  | piece  | 1 |  1499 |  28 | 0.20  | 嵌入式消毒柜 90L | Built-in sterilising cabinet, 90 L
KT-XDG-110A | piece  | 1 |  1899 |  28 | 0.20  | 嵌入式消毒柜 110L | Built-in sterilising cabinet, 110 L
KT-XWJ-08A  | piece  | 1 |  2799 |  45 | 0.36  | 嵌入式洗碗机 8套 | Built-in dishwasher, 8 sets
KT-XWJ-13A  | piece  | 1 |  3999 |  45 | 0.36  | 嵌入式洗碗机 13套 | Built-in dishwasher, 13 sets
KT-XWJ-15B  | piece  | 1 |  4999 |  45 | 0.36  | 嵌入式洗碗机 15套 热风烘干 | Built-in dishwasher, 15 sets, hot-air dry
KT-ZK-50A   | piece  | 1 |  4599 |  35 | 0.18  | 嵌入式蒸烤一体机 50L | Built-in steam oven, 50 L
KT-ZK-56B   | piece  | 1 |  6299 |  35 | 0.18  | 嵌入式蒸烤一体机 56L | Built-in steam oven, 56 L
KT-JCZ-XD   | set    | 1 |  6999 | 110 | 0.90  | 集成灶 消毒柜款 | Integrated stove, with sterilising cabinet
KT-JCZ-ZK   | set    | 1 |  9999 | 110 | 0.90  | 集成灶 蒸烤款 | Integrated stove, with steam oven
KT-RSQ-13A  | piece  | 1 |  1599 |  15 | 0.08  | 燃气热水器 13L 恒温 | Gas water heater, 13 L constant temperature
KT-RSQ-16A  | piece  | 1 |  2299 |  15 | 0.08  | 燃气热水器 16L 零冷水 | Gas water heater, 16 L instant hot water
KT-DRQ-60A  | piece  | 1 |  1299 |  25 | 0.15  | 电热水器 60L | Electric water heater, 60 L
KT-DRQ-80A  | piece  | 1 |  1599 |  25 | 0.15  | 电热水器 80L | Electric water heater, 80 L
KT-WBL-20A  | piece  | 2 |   499 |  12 | 0.07  | 微波炉 20L | Microwave oven, 20 L
KT-WBL-23B  | piece  | 2 |   699 |  12 | 0.07  | 微波炉 23L 光波 | Microwave oven, 23 L grill
AC-GW-26A1  | set    | 1 |  2599 |  45 | 0.35  | 变频挂式空调 1匹 新一级能效 | Inverter wall AC, 1 HP, grade 1
AC-GW-35A1  | set    | 1 |  2999 |  45 | 0.35  | 变频挂式空调 1.5匹 新一级能效 | Inverter wall AC, 1.5 HP, grade 1
AC-GW-35A3  | set    | 1 |  2399 |  45 | 0.35  | 变频挂式空调 1.5匹 三级能效 | Inverter wall AC, 1.5 HP, grade 3
AC-GW-50A1  | set    | 1 |  3999 |  45 | 0.35  | 变频挂式空调 2匹 新一级能效 | Inverter wall AC, 2 HP, grade 1
AC-LW-51A1  | set    | 1 |  5699 |  85 | 0.80  | 变频柜式空调 2匹 新一级能效 | Inverter floor-standing AC, 2 HP, grade 1
AC-LW-72A1  | set    | 1 |  6999 |  85 | 0.80  | 变频柜式空调 3匹 新一级能效 | Inverter floor-standing AC, 3 HP, grade 1
AC-LW-72XF  | set    | 1 |  8999 |  85 | 0.80  | 变频柜式空调 3匹 新风 | Inverter floor-standing AC, 3 HP, fresh air
AC-FG-35    | set    | 1 |  4299 |  60 | 0.50  | 风管机 1.5匹 | Ducted split AC, 1.5 HP
AC-FG-51    | set    | 1 |  5199 |  60 | 0.50  | 风管机 2匹 | Ducted split AC, 2 HP
AC-FG-72    | set    | 1 |  6999 |  60 | 0.50  | 风管机 3匹 | Ducted split AC, 3 HP
AC-VRF-5P   | piece  | 1 | 19800 | 180 | 1.20  | 多联机室外机 5匹 | VRF outdoor unit, 5 HP
AC-VRF-6P   | piece  | 1 | 23800 | 180 | 1.20  | 多联机室外机 6匹 | VRF outdoor unit, 6 HP
AC-VRF-8P   | piece  | 1 | 32800 | 180 | 1.20  | 多联机室外机 8匹 | VRF outdoor unit, 8 HP
AC-VRI-22   | piece  | 1 |  2399 |  22 | 0.15  | 多联机室内机 2.2kW | VRF indoor unit, 2.2 kW
AC-VRI-28   | piece  | 1 |  2599 |  22 | 0.15  | 多联机室内机 2.8kW | VRF indoor unit, 2.8 kW
AC-VRI-36   | piece  | 1 |  2899 |  22 | 0.15  | 多联机室内机 3.6kW | VRF indoor unit, 3.6 kW
AC-VRI-56   | piece  | 1 |  3499 |  22 | 0.15  | 多联机室内机 5.6kW | VRF indoor unit, 5.6 kW
AC-YD-1P    | piece  | 1 |  1899 |  30 | 0.30  | 移动空调 1匹 | Portable AC, 1 HP
AC-YD-15P   | piece  | 1 |  2299 |  30 | 0.30  | 移动空调 1.5匹 | Portable AC, 1.5 HP
AC-CS-12    | piece  | 2 |  1199 |  15 | 0.10  | 除湿机 12L/天 | Dehumidifier, 12 L/day
AC-CS-20    | piece  | 2 |  1699 |  15 | 0.10  | 除湿机 20L/天 | Dehumidifier, 20 L/day
AC-XF-250   | piece  | 1 |  5999 |  40 | 0.40  | 新风机 250m³/h | Fresh-air ventilator, 250 m³/h
AC-XF-350   | piece  | 1 |  7499 |  40 | 0.40  | 新风机 350m³/h | Fresh-air ventilator, 350 m³/h
AC-AZB-3M   | box    | 4 |   199 |   6 | 0.03  | 空调安装辅材包 3米铜管套装 | AC installation kit, 3 m copper pipe set
WM-BL-80    | piece  | 1 |  1199 |  35 | 0.40  | 波轮洗衣机 8kg | Top-load washer, 8 kg
WM-BL-100   | piece  | 1 |  1499 |  35 | 0.40  | 波轮洗衣机 10kg | Top-load washer, 10 kg
WM-BL-100D  | piece  | 1 |  1999 |  35 | 0.40  | 波轮洗衣机 10kg 直驱变频 | Top-load washer, 10 kg direct drive
WM-BL-120   | piece  | 1 |  2299 |  35 | 0.40  | 波轮洗衣机 12kg | Top-load washer, 12 kg
WM-BL-150   | piece  | 1 |  2699 |  35 | 0.40  | 波轮洗衣机 15kg 大容量 | Top-load washer, 15 kg large capacity
WM-GT-80    | piece  | 1 |  1699 |  70 | 0.45  | 滚筒洗衣机 8kg | Front-load washer, 8 kg
WM-GT-100   | piece  | 1 |  2299 |  70 | 0.45  | 滚筒洗衣机 10kg | Front-load washer, 10 kg
WM-GT-100S  | piece  | 1 |  2599 |  70 | 0.45  | 滚筒洗衣机 10kg 超薄 | Front-load washer, 10 kg slim
WM-GT-100H  | piece  | 1 |  2999 |  70 | 0.45  | 滚筒洗衣机 10kg 洗烘一体 | Front-load washer, 10 kg washer-dryer
WM-GT-120D  | piece  | 1 |  3699 |  70 | 0.45  | 滚筒洗衣机 12kg 直驱 | Front-load washer, 12 kg direct drive
WM-GT-120H  | piece  | 1 |  4299 |  70 | 0.45  | 滚筒洗衣机 12kg 洗烘一体 | Front-load washer, 12 kg washer-dryer
WM-TZ-1010  | set    | 1 |  7999 | 140 | 0.90  | 洗烘套装 10kg+10kg | Washer and dryer set, 10 kg + 10 kg
WM-TZ-1212  | set    | 1 |  9999 | 140 | 0.90  | 洗烘套装 12kg+12kg | Washer and dryer set, 12 kg + 12 kg
WM-HG-09    | piece  | 1 |  3499 |  50 | 0.45  | 热泵干衣机 9kg | Heat-pump dryer, 9 kg
WM-HG-10    | piece  | 1 |  3999 |  50 | 0.45  | 热泵干衣机 10kg | Heat-pump dryer, 10 kg
WM-HG-12    | piece  | 1 |  4699 |  50 | 0.45  | 热泵干衣机 12kg | Heat-pump dryer, 12 kg
WM-LN-08    | piece  | 1 |  2499 |  40 | 0.40  | 冷凝式干衣机 8kg | Condenser dryer, 8 kg
WM-MN-3     | piece  | 2 |   999 |  18 | 0.15  | 迷你洗衣机 3kg 婴儿专用 | Mini washer, 3 kg for baby clothes
WM-MN-1     | piece  | 2 |   599 |  18 | 0.15  | 迷你洗衣机 1kg 内衣专用 | Mini washer, 1 kg for underwear
WM-BG-3     | piece  | 1 |  1999 |  25 | 0.15  | 壁挂洗衣机 3kg | Wall-mounted washer, 3 kg
WM-FQ-13    | piece  | 1 |  6999 |  90 | 0.60  | 分区洗衣机 13kg 双滚筒 | Twin-drum washer, 13 kg twin drum
WM-QR-10    | piece  | 1 |  4999 |  75 | 0.45  | 嵌入式洗衣机 10kg | Built-in washer, 10 kg
WM-DZ-01    | piece  | 4 |   129 |   4 | 0.02  | 洗衣机底座 万向轮 | Washer pedestal, with castors
WM-QJ-12    | box    | 6 |   168 |   3 | 0.01  | 洗衣机槽清洁剂 12瓶装 | Drum cleaner, 12 bottles
RF-DKM-520  | piece  | 1 |  3599 |  95 | 1.20  | 对开门冰箱 520L | Side-by-side fridge, 520 L
RF-DKM-600  | piece  | 1 |  4299 |  95 | 1.20  | 对开门冰箱 600L 一级能效 | Side-by-side fridge, 600 L, grade 1
RF-DKM-650  | piece  | 1 |  4999 |  95 | 1.20  | 对开门冰箱 650L 净味 | Side-by-side fridge, 650 L odour filter
RF-SZ-460   | piece  | 1 |  3999 |  90 | 1.00  | 十字对开门冰箱 460L | French four-door fridge, 460 L
RF-SZ-508   | piece  | 1 |  4799 |  90 | 1.00  | 十字对开门冰箱 508L 一级能效 | French four-door fridge, 508 L, grade 1
RF-SZ-540   | piece  | 1 |  5999 |  90 | 1.00  | 十字对开门冰箱 540L 零嵌 | French four-door fridge, 540 L, zero-gap
RF-FS-430   | piece  | 1 |  3499 |  80 | 0.90  | 法式多门冰箱 430L | French-door fridge, 430 L
RF-FS-480   | piece  | 1 |  4299 |  80 | 0.90  | 法式多门冰箱 480L | French-door fridge, 480 L
RF-SM-256   | piece  | 1 |  1999 |  60 | 0.60  | 三门冰箱 256L | Three-door fridge, 256 L
RF-SM-290   | piece  | 1 |  2399 |  60 | 0.60  | 三门冰箱 290L 风冷无霜 | Three-door fridge, 290 L frost-free
RF-SHM-185  | piece  | 1 |  1299 |  45 | 0.45  | 双门冰箱 185L | Two-door fridge, 185 L
RF-SHM-218  | piece  | 1 |  1499 |  45 | 0.45  | 双门冰箱 218L | Two-door fridge, 218 L
RF-DM-93    | piece  | 2 |   699 |  25 | 0.20  | 单门冰箱 93L | Single-door fridge, 93 L
RF-DM-121   | piece  | 2 |   899 |  25 | 0.20  | 单门冰箱 121L | Single-door fridge, 121 L
RF-WG-200   | piece  | 1 |  1399 |  40 | 0.50  | 卧式冷柜 200L | Chest freezer, 200 L
RF-WG-300   | piece  | 1 |  1799 |  40 | 0.50  | 卧式冷柜 300L | Chest freezer, 300 L
RF-WG-420   | piece  | 1 |  2699 |  40 | 0.50  | 卧式冷柜 420L 商用 | Chest freezer, 420 L commercial
RF-LG-180   | piece  | 1 |  1699 |  45 | 0.45  | 立式冷柜 180L | Upright freezer, 180 L
RF-JG-36    | piece  | 1 |  1699 |  35 | 0.30  | 酒柜 36瓶 | Wine cooler, 36 bottles
RF-JG-80    | piece  | 1 |  3299 |  35 | 0.30  | 酒柜 80瓶 | Wine cooler, 80 bottles
RF-QR-350   | piece  | 1 |  6999 |  70 | 0.70  | 嵌入式冰箱 350L | Built-in fridge, 350 L
RF-BB-70    | piece  | 2 |   999 |  20 | 0.15  | 冰吧 70L | Beverage cooler, 70 L
RF-ZS-360   | piece  | 1 |  2999 |  80 | 1.10  | 商用展示柜 360L | Commercial display cooler, 360 L
RF-ZS-650   | piece  | 1 |  4599 |  80 | 1.10  | 商用展示柜 650L 双门 | Commercial display cooler, 650 L two doors
SA-DFB-30   | piece  | 4 |   299 |   4 | 0.03  | 电饭煲 3L | Rice cooker, 3 L
SA-DFB-40IH | piece  | 4 |   599 |   4 | 0.03  | 电饭煲 4L IH | Rice cooker, 4 L induction
SA-DFB-50IH | piece  | 4 |   799 |   4 | 0.03  | 电饭煲 5L IH | Rice cooker, 5 L induction
SA-SH-15    | piece  | 6 |    99 | 1.2 | 0.008 | 电水壶 1.5L | Electric kettle, 1.5 L
SA-SH-17T   | piece  | 6 |   169 | 1.2 | 0.008 | 电水壶 1.7L 恒温 | Electric kettle, 1.7 L keep-warm
SA-KQ-45    | piece  | 4 |   299 |   5 | 0.04  | 空气炸锅 4.5L | Air fryer, 4.5 L
SA-KQ-60V   | piece  | 4 |   449 |   5 | 0.04  | 空气炸锅 6L 可视 | Air fryer, 6 L with window
SA-PB-175   | piece  | 2 |   799 |   6 | 0.04  | 破壁机 1.75L | High-speed blender, 1.75 L
SA-PB-120Q  | piece  | 2 |  1299 |   6 | 0.04  | 破壁机 1.2L 静音 | High-speed blender, 1.2 L quiet
SA-YLG-50   | piece  | 4 |   399 |   5 | 0.04  | 电压力锅 5L | Electric pressure cooker, 5 L
SA-YLG-60   | piece  | 4 |   499 |   5 | 0.04  | 电压力锅 6L 双胆 | Electric pressure cooker, 6 L two pots
SA-DCL-2200 | piece  | 4 |   249 |   3 | 0.02  | 电磁炉 2200W | Induction cooker, 2200 W
SA-FS-LD    | piece  | 2 |   299 |   5 | 0.06  | 电风扇 落地扇 直流变频 | Electric fan, pedestal fan, DC motor
SA-FS-TS    | piece  | 2 |   399 |   5 | 0.06  | 电风扇 塔扇 | Electric fan, tower fan
SA-NQ-YT    | piece  | 2 |   499 |  10 | 0.08  | 取暖器 油汀 13片 | Heater, oil-filled radiator, 13 fins
SA-NQ-TJ    | piece  | 2 |   399 |  10 | 0.08  | 取暖器 踢脚线 | Heater, skirting heater
SA-JSQ-4L   | piece  | 4 |   199 | 2.5 | 0.02  | 加湿器 4L | Humidifier, 4 L
SA-JSQ-6W   | piece  | 4 |   349 | 2.5 | 0.02  | 加湿器 6L 无雾 | Humidifier, 6 L mist-free
SA-JS-800G  | piece  | 1 |  2499 |  12 | 0.06  | 净水器 800G 反渗透 | Water purifier, 800G reverse osmosis
SA-JS-1200G | piece  | 1 |  3299 |  12 | 0.06  | 净水器 1200G 反渗透 | Water purifier, 1200G reverse osmosis
SA-XC-V8    | piece  | 2 |  1299 |   4 | 0.05  | 无线吸尘器 V8 | Cordless vacuum cleaner, V8
SA-XC-V12   | piece  | 2 |  1899 |   4 | 0.05  | 无线吸尘器 V12 激光探测 | Cordless vacuum cleaner, V12 laser detect
SA-SD-S1    | piece  | 1 |  2999 |   8 | 0.05  | 扫地机器人 自动集尘 | Robot vacuum, self-emptying
SA-KX-32    | piece  | 2 |   399 |   8 | 0.06  | 电烤箱 32L | Electric oven, 32 L
"""

# Sold in the past year, no longer made (the new energy-label rules retired grade-3 ACs).
DISCONTINUED = ["AC-GW-35A3", "WM-BL-80", "RF-DM-93"]

# One warehouse a line, the first shipping first: code, region code, latitude, longitude, name, English name, address.
WAREHOUSES = """
HZ | 330108 | 30.2084 | 120.2120 | 杭州中心仓 | Hangzhou central warehouse      | 杭州市滨江区江南大道3888号
GZ | 440100 | 23.0363 | 113.4756 | 广州华南仓 | Guangzhou South China warehouse | 广州市番禺区化龙镇金湖工业城
TJ | 120116 | 39.0347 | 117.7006 | 天津华北仓 | Tianjin North China warehouse   | 天津市滨海新区港城大道666号
CD | 510100 | 30.5601 | 104.2700 | 成都西南仓 | Chengdu Southwest warehouse     | 成都市龙泉驿区经开区南四路88号
"""
# Tier price lists: the share of the base price each tier pays.
TIER_SHARE = {"A": Decimal("0.90"), "B": Decimal("0.93"), "C": Decimal("0.96"), "D": Decimal("0.98")}
# Dealer price lists: product line, share of the base price, title.
NEGOTIATED = [
    ("kitchen", Decimal("0.92"), "厨电年度协议价"),
    ("air-conditioning", Decimal("0.86"), "空调工程项目价"),
    ("refrigeration", Decimal("0.87"), "冰箱年度协议价"),
]
HQ_PEOPLE = [
    # username, given name, family name, groups
    ("finance", "雪", "赵", ["finance"]),
    ("orderdesk", "婷", "孙", ["order_desk", "warehouse"]),
]
# Demo people made by seed_demo and the dealers' demo, and the order groups their jobs need.
EXISTING_GROUPS = {"hq": ["catalogue"], "cm": ["order_desk"]}


def _whole_yuan(value) -> Decimal:
    return Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP).quantize(Decimal("0.01"))


def seed_people(admin) -> dict:
    from dms.accounts import services as accounts

    user_model = type(admin)
    for username, given, family, _groups in HQ_PEOPLE:
        if not user_model.objects.filter(username=username).exists():
            accounts.user_create(
                actor=admin,
                username=username,
                role="hq_staff",
                password=DEMO_PASSWORD,
                first_name=given,
                last_name=family,
                email=f"{username}@dms.local",
                sees_all_without_regions=True,
            )
    memberships = {username: groups for username, _g, _f, groups in HQ_PEOPLE} | EXISTING_GROUPS
    for username, groups in memberships.items():
        user = user_model.objects.filter(username=username).first()
        if user is not None:
            user.groups.add(*Group.objects.filter(name__in=groups))
    # Fresh instances: permissions are cached on a user object once read.
    users = user_model.objects.in_bulk(
        ["admin", "finance", "orderdesk", "dealer", "dealerstaff"], field_name="username"
    )
    return {"admin": admin, **users}


def seed_catalogue(admin) -> dict[str, Product]:
    for position, (code, name, name_en, _prefix) in enumerate(LINES, start=1):
        if not ProductLine.objects.filter(code=code).exists():
            services.catalogue_save(
                actor=admin,
                model=ProductLine,
                fields={"code": code, "name": name, "name_en": name_en, "position": position},
            )
    line_by_prefix = {prefix: ProductLine.objects.get(code=code) for code, _n, _e, prefix in LINES}
    existing = set(Product.objects.values_list("sku", flat=True))
    for row in PRODUCTS.strip().splitlines():
        sku, unit, pack, price, kg, m3, name, name_en = (cell.strip() for cell in row.split("|"))
        if sku in existing:
            continue
        services.catalogue_save(
            actor=admin,
            model=Product,
            fields={
                "sku": sku,
                "name": name,
                "name_en": name_en,
                "product_line": line_by_prefix[sku.split("-")[0]],
                "unit": unit,
                "pack_size": int(pack),
                "base_price": Decimal(price),
                "weight_kg": Decimal(kg),
                "volume_m3": Decimal(m3),
            },
        )
    return Product.objects.select_related("product_line").in_bulk(field_name="sku")


def seed_warehouses(admin) -> dict[str, Warehouse]:
    rows = [[cell.strip() for cell in row.split("|")] for row in WAREHOUSES.strip().splitlines()]
    for priority, (code, region_code, lat, lng, name, name_en, address) in enumerate(rows, start=1):
        if not Warehouse.objects.filter(code=code).exists():
            services.catalogue_save(
                actor=admin,
                model=Warehouse,
                fields={
                    "code": code,
                    "name": name,
                    "name_en": name_en,
                    "region": Region.objects.get(code=region_code),
                    "address": address,
                    "latitude": Decimal(lat),
                    "longitude": Decimal(lng),
                    "priority": priority,
                },
            )
    return Warehouse.objects.in_bulk([row[0] for row in rows], field_name="code")


def seed_price_lists(admin, products: dict[str, Product]) -> None:
    start = date(timezone.localdate().year - 1, 1, 1)
    for tier, share in TIER_SHARE.items():
        name = f"{tier} 级经销商价格表"
        if not PriceList.objects.filter(name=name).exists():
            items = {p: _whole_yuan(p.base_price * share) for p in products.values()}
            services.price_list_save(actor=admin, name=name, kind="tier", tier=tier, valid_from=start, items=items)
    # Negotiated prices, a few points under the tier's: the demo dealer's and the two biggest dealers'.
    big = Dealer.objects.filter(status__in=services.TRADING, tier="A").exclude(code=DEMO_DEALER_CODE).order_by("code")
    dealers = [Dealer.objects.filter(code=DEMO_DEALER_CODE).first(), *big[:2]]
    for dealer, (line_code, share, title) in zip(dealers, NEGOTIATED, strict=False):
        if dealer is None or PriceList.objects.filter(name=f"{dealer.name} {title}").exists():
            continue
        items = {p: _whole_yuan(p.base_price * share) for p in products.values() if p.product_line.code == line_code}
        services.price_list_save(
            actor=admin, name=f"{dealer.name} {title}", kind="dealer", dealer=dealer, valid_from=start, items=items
        )
