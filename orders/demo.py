"""Demo data of the orders app for ``seed_demo`` (after the dealers' demo): a home-appliance
catalogue, tier and dealer prices, four warehouses with stock, authorisations, credit, and a year
of orders, invoices and payments for the trading demo dealers.

Every record is made by the services, as the order desk, finance and the dealers would make it.
The one exception: services stamp what they write with the current time, so the history is given
its past afterwards with ``update()`` — the timestamps and dates of each order, invoice, payment,
stock movement and event it made, and the date inside their public numbers (``SO-YYYYMMDD-NNNN``,
renumbered from the counter of that day). Group membership has no service; it is set as the admin
form sets it. A fixed random seed gives the same demo on every machine.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Value, When
from django.utils import timezone

from dealers.demo import DEMO_DEALER_CODE, DEMO_PASSWORD
from dealers.models import Dealer, Region
from dms.events.models import Event
from dms.numbers import next_number
from orders import selectors, services, verbs
from orders.models import (
    Invoice,
    Order,
    Payment,
    PaymentAllocation,
    PriceList,
    Product,
    ProductLine,
    StockLevel,
    StockMovement,
    Warehouse,
)

SEED = 20261127
S = Order.Status

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
TIER_LIMIT = {"A": 1_500_000, "B": 800_000, "C": 400_000, "D": 200_000}
TIER_ORDERS_PER_MONTH = {"A": 1.3, "B": 0.8, "C": 0.5, "D": 0.3}
TIER_ORDER_AMOUNT = {"A": (120_000, 250_000), "B": (50_000, 120_000), "C": (25_000, 60_000), "D": (10_000, 30_000)}
TIER_LINES = {"A": (3, 6), "B": (2, 5), "C": (2, 4), "D": (1, 3)}
# Orders per month (Jan..Dec): the Spring Festival dip, 618 and Double 11 stocking.
SEASON = [1.0, 0.6, 0.9, 1.0, 1.1, 1.3, 1.0, 0.9, 1.0, 1.1, 1.3, 1.2]
AC_SEASON = [0.5, 0.4, 1.0, 1.8, 2.2, 2.0, 1.2, 0.8, 0.6, 0.5, 0.6, 0.6]
# How many days overdue the oldest unpaid invoice of three demo dealers is: one per aging bucket past 30.
OVERDUE_DAYS = [45, 75, 120]
# What dealers write on an order, by month (Jan..Dec); most orders carry no note.
NOTES = {1: "春节备货", 5: "618 备货", 6: "618 备货", 10: "双十一备货", 11: "双十一备货"}
ANY_TIME_NOTES = ["门店开业备货", "以旧换新活动备货", "周末促销补货", "请尽快安排发货"]
CANCEL_REASONS = ["经销商要求取消：门店装修延期", "重复下单", "客户退订，经销商申请取消"]
BANKS = ["ICBC", "CCB", "ABC", "BOC", "CMB"]
HQ_PEOPLE = [
    # username, given name, family name, groups
    ("finance", "雪", "赵", ["finance"]),
    ("orderdesk", "婷", "孙", ["order_desk", "warehouse"]),
]
# Demo people made by seed_demo and the dealers' demo, and the order groups their jobs need.
EXISTING_GROUPS = {"hq": ["catalogue"], "cm": ["order_desk"]}


def _whole_yuan(value) -> Decimal:
    return Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP).quantize(Decimal("0.01"))


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def seed(*, admin) -> list[str]:
    """The orders part of the demo. Returns the usernames it created; a second run changes nothing."""
    people = _seed_people(admin)
    products = _seed_catalogue(admin)
    warehouses = _seed_warehouses(admin)
    _seed_price_lists(admin, products)
    if not Order.objects.exists():
        History(people=people, products=products, warehouses=warehouses).seed()
    return [username for username, *_rest in HQ_PEOPLE]


def _seed_people(admin) -> dict:
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


def _seed_catalogue(admin) -> dict[str, Product]:
    for position, (code, name, name_en, _prefix) in enumerate(LINES, start=1):
        if not ProductLine.objects.filter(code=code).exists():
            services.product_line_save(actor=admin, code=code, name=name, name_en=name_en, position=position)
    line_by_prefix = {prefix: ProductLine.objects.get(code=code) for code, _n, _e, prefix in LINES}
    existing = set(Product.objects.values_list("sku", flat=True))
    for row in PRODUCTS.strip().splitlines():
        sku, unit, pack, price, kg, m3, name, name_en = (cell.strip() for cell in row.split("|"))
        if sku in existing:
            continue
        services.product_save(
            actor=admin,
            sku=sku,
            name=name,
            name_en=name_en,
            product_line=line_by_prefix[sku.split("-")[0]],
            unit=unit,
            pack_size=int(pack),
            base_price=Decimal(price),
            weight_kg=Decimal(kg),
            volume_m3=Decimal(m3),
        )
    return Product.objects.select_related("product_line").in_bulk(field_name="sku")


def _seed_warehouses(admin) -> dict[str, Warehouse]:
    rows = [[cell.strip() for cell in row.split("|")] for row in WAREHOUSES.strip().splitlines()]
    for priority, (code, region_code, lat, lng, name, name_en, address) in enumerate(rows, start=1):
        if not Warehouse.objects.filter(code=code).exists():
            services.warehouse_save(
                actor=admin,
                code=code,
                name=name,
                name_en=name_en,
                region=Region.objects.get(code=region_code),
                address=address,
                latitude=Decimal(lat),
                longitude=Decimal(lng),
                priority=priority,
            )
    return Warehouse.objects.in_bulk([row[0] for row in rows], field_name="code")


def _seed_price_lists(admin, products: dict[str, Product]) -> None:
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


def _distance_km(lat1, lng1, lat2, lng2) -> float:
    lat1, lng1, lat2, lng2 = (math.radians(float(v)) for v in (lat1, lng1, lat2, lng2))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(a))


@dataclass
class Plan:
    """One historical order before it is made: when, what, and how it ends."""

    day: date
    lines: list[tuple[Product, int]]
    note: str = ""
    outcome: str = "delivered"  # delivered, cancelled, rejected
    order: Order | None = None
    times: dict = field(default_factory=dict)


@dataclass
class Profile:
    """How a demo dealer buys and pays."""

    dealer: Dealer
    lines: list[ProductLine]
    delay: tuple[int, int]  # days paid after the due date
    overdue_days: int | None = None  # oldest unpaid invoice this many days overdue
    round_payer: bool = False
    project: str = ""  # a project order of the year: "approved" or "rejected"
    plans: list[Plan] = field(default_factory=list)


ORDER_STAGES = {
    "created": "created_at",
    "submitted": "submitted_at",
    "decided": "decided_at",
    "shipped": "shipped_at",
    "delivered": "delivered_at",
    "cancelled": "cancelled_at",
}
EVENT_STAGES = {
    verbs.ORDER_CREATED.code: "created",
    verbs.ORDER_CHANGED.code: "created",
    verbs.ORDER_SUBMITTED.code: "submitted",
    verbs.ORDER_PENDING.code: "submitted",
    verbs.ORDER_APPROVED.code: "decided",
    verbs.ORDER_REJECTED.code: "decided",
    verbs.ORDER_CANCELLED.code: "cancelled",
    verbs.ORDER_SHIPPED.code: "shipped",
    verbs.ORDER_DELIVERED.code: "delivered",
}


class History:
    """Authorisations, credit, stock and a year of orders; made once, in date order per dealer."""

    def __init__(self, *, people: dict, products: dict[str, Product], warehouses: dict[str, Warehouse]):
        self.rng = random.Random(SEED)
        self.today = timezone.localdate()
        # Twelve calendar months, this one included: the first day of the month eleven months back.
        year, month = divmod(self.today.year * 12 + self.today.month - 12, 12)
        self.start = date(year, month + 1, 1)
        self.people = people
        self.admin, self.finance, self.desk = people["admin"], people["finance"], people["orderdesk"]
        self.products = products
        self.warehouses = warehouses
        self.lines = ProductLine.objects.in_bulk([code for code, *_rest in LINES], field_name="code")
        self.types = {model: ContentType.objects.get_for_model(model) for model in (Order, Invoice, Payment)}
        self.dealers = list(
            Dealer.objects.filter(status__in=services.TRADING).select_related("region").order_by("code")
        )
        self.references = 0

    def seed(self) -> None:
        profiles = [self._authorize_and_profile(dealer) for dealer in self.dealers]
        self._lapsed_authorization(profiles)
        self._set_credit()
        self._backdate_setup()
        self._cast(profiles)
        for profile in profiles:
            self._plan(profile)
        self._initial_stock(profiles)
        for profile in profiles:
            self._make_history(profile)
        for sku in DISCONTINUED:
            if sku in self.products:
                services.product_save(actor=self.admin, product=self.products[sku], is_active=False)
        self._current_orders(profiles)
        self._stocktake()

    # Setup -------------------------------------------------------------------------------------

    def _authorize_and_profile(self, dealer: Dealer) -> Profile:
        """Authorise the dealer for its product lines and decide how it pays."""
        rng = self.rng
        if dealer.code == DEMO_DEALER_CODE:
            codes = [code for code, *_rest in LINES]
        else:
            low, high = {"A": (4, 5), "B": (3, 5), "C": (2, 4), "D": (2, 3)}[dealer.tier]
            # Every dealer sells kitchen appliances; the big ones also run air-conditioning projects.
            codes = ["kitchen", "air-conditioning"] if dealer.tier == "A" else ["kitchen"]
            others = [c for c, *_r in LINES if c not in codes]
            codes += rng.sample(others, rng.randint(low, high) - len(codes))
        for code in codes:
            regions = None
            # Central air conditioning is installed locally: those authorisations stop at the dealer's city.
            if code == "air-conditioning" and (dealer.code == DEMO_DEALER_CODE or rng.random() < 0.3):
                regions = [dealer.region]
            services.authorization_save(
                actor=self.admin,
                dealer=dealer,
                product_line=self.lines[code],
                valid_from=self.start - timedelta(days=30),
                regions=regions,
            )
        delay = rng.choice([(-5, 3), (-3, 5), (0, 10), (5, 25)])
        return Profile(
            dealer=dealer,
            lines=[self.lines[c] for c in codes],
            delay=delay,
            round_payer=rng.random() < 0.15,
        )

    def _lapsed_authorization(self, profiles: list[Profile]) -> None:
        """One dealer's authorisation for a further line ran out two months ago and was not renewed."""
        for profile in profiles:
            missing = [line for line in self.lines.values() if line not in profile.lines]
            if profile.dealer.code != DEMO_DEALER_CODE and missing:
                services.authorization_save(
                    actor=self.admin,
                    dealer=profile.dealer,
                    product_line=missing[0],
                    valid_from=self.start - timedelta(days=395),
                    valid_until=self.today - timedelta(days=60),
                )
                return

    def _set_credit(self) -> None:
        for dealer in self.dealers:
            limit = TIER_LIMIT[dealer.tier] // (2 if dealer.status == Dealer.Status.PROBATION else 1)
            services.credit_limit_set(
                actor=self.finance, dealer=dealer, credit_limit=limit, reason=f"年度授信：{dealer.tier} 级经销商"
            )
            lat = dealer.latitude or dealer.region.latitude
            lng = dealer.longitude or dealer.region.longitude
            nearest = min(self.warehouses.values(), key=lambda w: _distance_km(lat, lng, w.latitude, w.longitude))
            services.default_warehouse_set(actor=self.admin, dealer=dealer, warehouse=nearest)

    def _backdate_setup(self) -> None:
        """The catalogue, prices, authorisations and credit limits were set up before the year began."""
        when = _at(self.start - timedelta(days=30), 10)
        Product.objects.update(created_at=when, updated_at=when)
        Event.objects.filter(
            verb__in=[
                verbs.CATALOGUE_CHANGED.code,
                verbs.AUTHORIZATION_CHANGED.code,
                verbs.CREDIT_LIMIT_CHANGED.code,
            ]
        ).update(created_at=when)

    def _plan(self, profile: Profile) -> None:
        """Decide the dealer's orders of the past year: how many per month, which products, how much."""
        rng, dealer = self.rng, profile.dealer
        first = self.start
        last = self.today - timedelta(days=7)
        overdue = profile.overdue_days
        if overdue is not None:
            # It kept ordering until it was a month late; finance has held its orders since.
            last = min(last, self.today - timedelta(days=overdue - 30))
        day = first
        while day <= last:
            month_end = (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            span = (min(month_end, last) - day).days
            expected = TIER_ORDERS_PER_MONTH[dealer.tier] * SEASON[day.month - 1] + (dealer.code == DEMO_DEALER_CODE)
            expected *= (span + 1) / month_end.day
            count = int(expected) + (rng.random() < expected - int(expected))
            for _n in range(count):
                when = day + timedelta(days=rng.randint(0, span))
                profile.plans.append(Plan(day=when, lines=self._pick_lines(profile, when), note=self._note(when)))
            day = month_end + timedelta(days=1)
        for plan in profile.plans:
            if rng.random() < 0.03:
                plan.outcome = "cancelled"
        if overdue is not None:
            # The order whose invoice is now ``overdue`` days past due (it ships a day or two later).
            when = self.today - timedelta(days=overdue + dealer.payment_terms_days + 1)
            profile.plans.append(Plan(day=when, lines=self._pick_lines(profile, when)))
        if profile.project and last > first + timedelta(days=120):
            when = last - timedelta(days=rng.randint(60, 120))
            profile.plans.append(
                Plan(
                    day=when,
                    lines=self._project_lines(),
                    note=f"工程项目：{rng.choice(['滨江花园', '锦绣华庭', '金色家园', '江南府'])}二期中央空调",
                    outcome="rejected" if profile.project == "rejected" else "delivered",
                )
            )
        profile.plans.sort(key=lambda p: p.day)

    def _note(self, day: date) -> str:
        roll = self.rng.random()
        if roll < 0.3 and day.month in NOTES:
            return NOTES[day.month]
        return self.rng.choice(ANY_TIME_NOTES) if roll > 0.85 else ""

    def _project_lines(self) -> list[tuple[Product, int]]:
        """A central air-conditioning project: outdoor and indoor units, worth more than the approval threshold."""
        units = [("AC-VRF-8P", 14), ("AC-VRI-56", 24), ("AC-VRI-36", 24), ("AC-AZB-3M", 48)]
        return [(self.products[sku], quantity) for sku, quantity in units]

    def _pick_lines(self, profile: Profile, day: date, *, amount: float | None = None) -> list[tuple[Product, int]]:
        """Products of one or two of the dealer's lines (air conditioning in season) for about ``amount``
        (a typical order of the dealer's tier when not given)."""
        rng, tier = self.rng, profile.dealer.tier
        weights = [AC_SEASON[day.month - 1] if line.code == "air-conditioning" else 1.0 for line in profile.lines]
        lines = {rng.choices(profile.lines, weights)[0].pk for _n in range(rng.choice([1, 1, 2]))}
        candidates = [p for p in self.products.values() if p.product_line_id in lines and p.is_active]
        low, high = TIER_LINES[tier]
        budget = amount or rng.uniform(*TIER_ORDER_AMOUNT[tier])
        chosen = {p.pk: p for p in rng.sample(candidates, min(len(candidates), rng.randint(low, high)))}
        share = budget / len(chosen)
        packs = {
            product: max(1, round(share / float(product.base_price) / product.pack_size)) for product in chosen.values()
        }
        if amount is None:
            packs = {product: min(n, 60) for product, n in packs.items()}
        else:
            # An order for a given amount: the dearest product makes up what the others fall short of.
            dearest = max(packs, key=lambda p: p.base_price * p.pack_size)
            short = budget - sum(float(p.base_price) * p.pack_size * n for p, n in packs.items())
            packs[dearest] += max(0, math.ceil(short / float(dearest.base_price * dearest.pack_size)))
        return [(product, n * product.pack_size) for product, n in packs.items()]

    def _initial_stock(self, profiles: list[Profile]) -> None:
        """Opening stock a year ago: enough in every warehouse for the year (the stocktake sets it right)."""
        demand: dict[int, int] = {}
        for profile in profiles:
            for plan in profile.plans:
                for product, quantity in plan.lines:
                    demand[product.pk] = demand.get(product.pk, 0) + quantity
        counts = [
            (warehouse, product, demand.get(product.pk, 0) + 500)
            for warehouse in self.warehouses.values()
            for product in self.products.values()
        ]
        services.stock_set_counts(actor=self.desk, counts=counts, reason="期初库存导入（WMS）")
        when = _at(self.start - timedelta(days=1), 18)
        StockMovement.objects.filter(kind=StockMovement.Kind.IMPORT).update(created_at=when)
        Event.objects.filter(verb=verbs.STOCK_IMPORTED.code).update(created_at=when)

    def _cast(self, profiles: list[Profile]) -> None:
        """Give some dealers the parts the demo needs: late payers past 30, 60 and 90 days, project orders."""
        calm = [p for p in profiles if p.dealer.code != DEMO_DEALER_CODE and p.dealer.status == Dealer.Status.ACTIVE]
        late = [p for p in calm if p.dealer.tier in ("C", "D") and p.dealer.payment_terms_days >= 15]
        for profile, days in zip(self.rng.sample(late, min(len(late), len(OVERDUE_DAYS))), OVERDUE_DAYS, strict=False):
            profile.overdue_days = days
        air = self.lines["air-conditioning"]
        for profile in calm:
            if profile.dealer.tier == "A":
                profile.project = "approved"
        builders = [p for p in calm if p.dealer.tier == "B" and air in p.lines and p.overdue_days is None]
        if builders:
            builders[0].project = "rejected"

    # The year of orders ----------------------------------------------------------------------

    def _make_history(self, profile: Profile) -> None:
        """Each order in date order: paid orders are shipped and paid as they come; once one is still
        unpaid today, it and the rest are shipped after the last one is in, as they would have been
        submitted before any of them was overdue."""
        rng, dealer = self.rng, profile.dealer
        terms = timedelta(days=dealer.payment_terms_days)
        paid_until = self.start
        owing: list[Plan] = []
        for plan in profile.plans:
            order = self._submit(profile, plan)
            plan.times = self._times(plan.day, manual=order.decided_by_id is not None)
            if order.status == S.REJECTED:
                self._backdate_order(order, plan.times)
                continue
            if plan.outcome == "cancelled":
                order = services.order_cancel(actor=self.desk, order=order, reason=rng.choice(CANCEL_REASONS))
                plan.times["cancelled"] = plan.times["decided"] + timedelta(hours=rng.randint(2, 30))
                self._backdate_order(order, plan.times)
                continue
            shipped_on = timezone.localdate(plan.times["shipped"])
            due = shipped_on + terms
            pays_on = max(paid_until, shipped_on, due + timedelta(days=rng.randint(*profile.delay)))
            overdue = profile.overdue_days is not None and due >= self.today - timedelta(days=profile.overdue_days)
            if owing or overdue or pays_on >= self.today:
                owing.append(plan)
                continue
            paid_until = pays_on
            invoice = self._ship(profile, plan)
            self._pay(dealer, pays_on, invoice.gross_amount)
        for plan in owing:
            self._ship(profile, plan)
        if not owing:
            return
        if profile.overdue_days == max(OVERDUE_DAYS):
            first = Invoice.objects.get(order=owing[0].order)
            part = (first.gross_amount * Decimal("0.3")).quantize(Decimal("1000"))
            self._pay(dealer, self.today - timedelta(days=60), part, note="部分回款，余款承诺下月结清")
        elif profile.round_payer and profile.overdue_days is None:
            owed = sum(
                Invoice.objects.filter(order__in=[p.order for p in owing]).values_list("gross_amount", flat=True)
            )
            part = (owed / 2).quantize(Decimal("10000"))
            if part > 0:
                self._pay(dealer, self.today - timedelta(days=rng.randint(3, 10)), part)

    def _times(self, day: date, *, manual: bool) -> dict:
        rng = self.rng
        created = _at(day, rng.randint(8, 17), rng.randint(0, 59))
        submitted = created + timedelta(minutes=rng.randint(3, 90))
        decided = submitted + timedelta(hours=rng.randint(2, 20)) if manual else submitted
        shipped = _at(timezone.localdate(decided) + timedelta(days=rng.randint(1, 2)), rng.randint(9, 17))
        delivered = shipped + timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 5))
        return {
            "created": created,
            "submitted": submitted,
            "decided": decided,
            "shipped": shipped,
            "delivered": delivered,
            "requested": day + timedelta(days=rng.randint(5, 10)),
        }

    def _buyer(self, dealer: Dealer):
        """Who places the dealer's orders: its own people in the portal, or the order desk on the phone."""
        if dealer.code == DEMO_DEALER_CODE and self.people.get("dealer"):
            staff = self.people.get("dealerstaff")
            return staff if staff and self.rng.random() < 0.25 else self.people["dealer"]
        return self.desk

    def _submit(self, profile: Profile, plan: Plan) -> Order:
        buyer = self._buyer(profile.dealer)
        order = services.order_create(
            actor=buyer,
            dealer=profile.dealer,
            lines=[{"product": product, "quantity": quantity} for product, quantity in plan.lines],
            note=plan.note,
        )
        order = services.order_submit(actor=buyer, order=order)
        if order.status == S.PENDING_APPROVAL:
            if plan.outcome == "rejected":
                order = services.order_reject(
                    actor=self.finance, order=order, reason="项目资料不全：请补充工程合同与付款计划后重新下单"
                )
            else:
                order = self._approve(order)
        plan.order = order
        return order

    def _approve(self, order: Order, reason: str = "") -> Order:
        """Finance approves past the credit limit or with overdue invoices; the order desk the rest."""
        codes = {reason["code"] for reason in order.approval_reasons}
        if codes & services.CREDIT_BLOCKS:
            reason = reason or "经销商已承诺本月内回款，同意超额度发货"
            return services.order_approve(actor=self.finance, order=order, reason=reason)
        return services.order_approve(actor=self.desk, order=order, reason=reason or "工程项目订单，已核对项目合同")

    def _ship(self, profile: Profile, plan: Plan, *, deliver: bool = True) -> Invoice:
        order = services.order_ship(actor=self.desk, order=plan.order)
        if deliver:
            receiver = self.people.get("dealer") if profile.dealer.code == DEMO_DEALER_CODE else None
            order = services.order_deliver(actor=receiver or self.desk, order=order)
        plan.order = order
        self._backdate_order(order, plan.times)
        return Invoice.objects.get(order=order)

    def _pay(self, dealer: Dealer, day: date, amount, note: str = "") -> Payment:
        self.references += 1
        acceptance = self.rng.random() < 0.15
        method = Payment.Method.BANK_ACCEPTANCE if acceptance else Payment.Method.BANK_TRANSFER
        prefix = "CD" if acceptance else self.rng.choice(BANKS)
        payment = services.payment_record(
            actor=self.finance,
            dealer=dealer,
            amount=amount,
            received_on=day,
            reference=f"{prefix}{day:%Y%m%d}{self.references:05d}",
            method=method,
            note=note,
        )
        self._backdate_payment(payment)
        return payment

    # Moving what the services stamped "now" back to when it happened -------------------------

    def _backdate_order(self, order: Order, times: dict) -> None:
        """Give an order, its events, stock movements and invoice the times in ``times``. Only the
        steps the order went through are moved; its number takes the date it was created."""
        number = order.number
        created_on = timezone.localdate(times["created"])
        if created_on != self.today and number.startswith(f"SO-{self.today:%Y%m%d}"):
            number = next_number("SO", day=created_on)
        columns = {
            column: times[stage]
            for stage, column in ORDER_STAGES.items()
            if stage in times and getattr(order, column) is not None
        }
        extra = {"requested_delivery_date": times["requested"]} if "requested" in times else {}
        Order.objects.filter(pk=order.pk).update(number=number, updated_at=max(columns.values()), **columns, **extra)
        reached = {stage for stage, column in ORDER_STAGES.items() if column in columns}
        stamps = [When(verb=verb, then=Value(times[stage])) for verb, stage in EVENT_STAGES.items() if stage in reached]
        Event.objects.filter(target_type=self.types[Order], target_id=str(order.pk)).update(
            target_repr=number, created_at=Case(*stamps, default="created_at")
        )
        released = times.get("cancelled") or times["decided"]
        moves = [When(kind=StockMovement.Kind.RESERVE, then=Value(times["submitted"]))]
        if "shipped" in reached:
            moves.append(When(kind=StockMovement.Kind.SHIP, then=Value(times["shipped"])))
        moves.append(When(kind=StockMovement.Kind.RELEASE, then=Value(released)))
        StockMovement.objects.filter(order_id=order.pk).update(created_at=Case(*moves, default="created_at"))
        if "shipped" in reached:
            self._backdate_invoice(order, times["shipped"])

    def _backdate_invoice(self, order: Order, shipped: datetime) -> None:
        invoice = Invoice.objects.get(order=order)
        issued = timezone.localdate(shipped)
        number = invoice.number
        if issued != self.today and number.startswith(f"INV-{self.today:%Y%m%d}"):
            number = next_number("INV", day=issued)
        Invoice.objects.filter(pk=invoice.pk).update(
            number=number,
            issued_on=issued,
            due_on=issued + timedelta(days=order.dealer.payment_terms_days),
            created_at=shipped,
        )
        Event.objects.filter(target_type=self.types[Invoice], target_id=str(invoice.pk)).update(
            target_repr=number, created_at=shipped
        )
        Event.objects.filter(
            target_type=self.types[Order], target_id=str(order.pk), verb=verbs.ORDER_SHIPPED.code
        ).update(data={"invoice": number})

    def _backdate_payment(self, payment: Payment) -> None:
        """A payment was recorded the day it was received; orders it settled were completed then."""
        when = _at(payment.received_on, self.rng.randint(9, 16), self.rng.randint(0, 59))
        if payment.received_on == self.today:
            return
        Payment.objects.filter(pk=payment.pk).update(created_at=when)
        PaymentAllocation.objects.filter(payment=payment).update(created_at=when)
        Event.objects.filter(target_type=self.types[Payment], target_id=str(payment.pk)).update(created_at=when)
        settled = Order.objects.filter(invoice__allocations__payment=payment, status=S.COMPLETED)
        for pk, delivered in settled.values_list("pk", "delivered_at"):
            done = max(when, delivered + timedelta(hours=1))
            Order.objects.filter(pk=pk).update(completed_at=done, updated_at=done)
            Event.objects.filter(
                target_type=self.types[Order], target_id=str(pk), verb=verbs.ORDER_COMPLETED.code
            ).update(created_at=done)

    # Today: the order desk's queue, carts, orders on the road ---------------------------------

    def _recent(self, profile: Profile, *, hours_ago: float, lines=None, note: str = "", user=None) -> Order:
        """An order submitted ``hours_ago``: approved at once, or waiting for approval with its reasons."""
        buyer = user or self._buyer(profile.dealer)
        order = services.order_create(
            actor=buyer,
            dealer=profile.dealer,
            lines=[{"product": p, "quantity": q} for p, q in lines or self._pick_lines(profile, self.today)],
            note=note,
            requested_delivery_date=self.today + timedelta(days=self.rng.randint(3, 10)),
        )
        order = services.order_submit(actor=buyer, order=order)
        created = timezone.now() - timedelta(hours=hours_ago)
        submitted = created + timedelta(minutes=self.rng.randint(3, 40))
        self._backdate_order(order, {"created": created, "submitted": submitted, "decided": submitted})
        order.refresh_from_db()
        return order

    def _current_orders(self, profiles: list[Profile]) -> None:
        rng = self.rng
        late = sorted((p for p in profiles if p.overdue_days), key=lambda p: p.overdue_days)
        calm = [
            p
            for p in profiles
            if p.overdue_days is None and p.dealer.code != DEMO_DEALER_CODE and p.dealer.status == Dealer.Status.ACTIVE
        ]
        demo = next((p for p in profiles if p.dealer.code == DEMO_DEALER_CODE), None)

        # Late payers: one order waited too long and went back to draft; the others wait for finance.
        for profile in late:
            if profile.overdue_days == min(OVERDUE_DAYS):
                self._recent(profile, hours_ago=settings.DMS_PENDING_APPROVAL_HOURS + 8)
                services.orders_release_expired()
            elif profile.overdue_days == max(OVERDUE_DAYS):
                refused = self._recent(profile, hours_ago=30)
                refused = services.order_reject(
                    actor=self.finance, order=refused, reason="逾期账款已超过 90 天，请先安排回款再下单"
                )
                self._backdate_order(
                    refused,
                    {
                        "created": refused.created_at,
                        "submitted": refused.submitted_at,
                        "decided": timezone.now() - timedelta(hours=26),
                    },
                )
                self._recent(profile, hours_ago=5, note="已安排部分回款，请尽快审核")
            else:
                self._recent(profile, hours_ago=20)

        # Dealers near their limit: one past it waits for finance; finance let another through.
        positions = [(selectors.credit_position(dealer=p.dealer), p) for p in calm]
        near = sorted(
            ((position, p) for position, p in positions if 0 < position.available < 380_000),
            key=lambda item: -item[0].used_percent,
        )
        busy = {profile.dealer.pk for _position, profile in near[:2]}
        for n, (position, profile) in enumerate(near[:2]):
            amount = float(position.available) / 0.85 + rng.uniform(10_000, 30_000)
            order = self._recent(
                profile, hours_ago=3 + 27 * n, lines=self._pick_lines(profile, self.today, amount=amount)
            )
            if n == 1 and order.status == S.PENDING_APPROVAL:
                self._approve(order, reason="经销商已开具银行承兑汇票作担保，同意临时超额度")

        # A central air-conditioning project above the amount head office checks by hand.
        builders = [p for p in calm if p.dealer.tier == "A" and p.dealer.pk not in busy]
        if builders:
            busy.add(builders[0].dealer.pk)
            self._recent(
                builders[0], hours_ago=26, lines=self._project_lines(), note="工程项目：城西银泰写字楼中央空调"
            )

        # Approved, waiting to ship; shipped and on the road.
        free = [p for p in calm if p.dealer.pk not in busy]
        waiting = rng.sample(free, min(6, len(free)))
        for profile in waiting[:4]:
            self._recent(profile, hours_ago=rng.uniform(2, 40))
        for profile in [*waiting[4:], *([demo] if demo else [])]:
            order = self._recent(profile, hours_ago=rng.uniform(60, 90))
            if order.status == S.APPROVED:
                shipped = order.submitted_at + timedelta(days=1, hours=rng.randint(1, 6))
                plan = Plan(day=self.today, lines=[], order=order)
                plan.times = {"created": order.created_at, "submitted": order.submitted_at, "decided": order.decided_at}
                plan.times["shipped"] = shipped
                self._ship(profile, plan, deliver=False)
        if demo:
            self._demo_dealer_today(demo)

        # A dealer paid in advance: what is left after its invoices waits for the next one.
        prepaid = next((p for p in calm if p.round_payer), calm[0] if calm else None)
        if prepaid:
            owed = selectors.credit_position(dealer=prepaid.dealer).open_invoices
            amount = (owed + 50_000).quantize(Decimal("10000"))
            self._pay(prepaid.dealer, self.today - timedelta(days=2), amount, note="预付货款")

    def _demo_dealer_today(self, profile: Profile) -> None:
        """The demo dealer's portal: an approved order, a cancelled duplicate, and a cart in progress."""
        dealer_user = self.people.get("dealer")
        self._recent(profile, hours_ago=6, user=dealer_user)
        if dealer_user is None:
            return
        duplicate = services.order_create(
            actor=dealer_user,
            dealer=profile.dealer,
            lines=[{"product": p, "quantity": q} for p, q in self._pick_lines(profile, self.today)],
        )
        services.order_cancel(actor=dealer_user, order=duplicate, reason="重复下单")
        staff = self.people.get("dealerstaff")
        if staff:
            services.order_create(
                actor=staff,
                dealer=profile.dealer,
                lines=[{"product": p, "quantity": q} for p, q in self._pick_lines(profile, self.today, amount=15_000)],
                note="下周门店促销备货",
            )
        services.order_create(
            actor=dealer_user,
            dealer=profile.dealer,
            lines=[{"product": p, "quantity": q} for p, q in self._pick_lines(profile, self.today, amount=8_000)],
        )

    def _stocktake(self) -> None:
        """This month's count: most products in stock, some low, some out; reserved units are all there."""
        rng = self.rng
        counts, spare = [], []
        levels = StockLevel.objects.select_related("warehouse", "product").order_by("product__sku", "warehouse__code")
        for level in levels:
            product, roll = level.product, rng.random()
            if not product.is_active or roll < 0.07:
                free = 0
            elif roll < 0.17:
                free = rng.randint(1, 3) * product.pack_size
            else:
                typical = max(10, int(60_000 / product.base_price))
                free = rng.randint(typical // 2, typical * 2) // product.pack_size * product.pack_size
            counts.append((level.warehouse, product, level.reserved + free))
            if free >= 10 * product.pack_size:
                spare.append((level.warehouse, product))
        services.stock_set_counts(actor=self.desk, counts=counts, reason=f"{self.today:%Y年%m月}月度盘点")
        # Since the count: goods received from the factory, and a pack damaged in handling written off.
        *received, damaged = rng.sample(spare, 4)
        for n, (warehouse, product) in enumerate(received, start=1):
            reason = f"采购入库 PO{self.today:%Y%m%d}{n:02d}"
            delta = 20 * product.pack_size
            services.stock_adjust(actor=self.desk, warehouse=warehouse, product=product, delta=delta, reason=reason)
        warehouse, product = damaged
        services.stock_adjust(
            actor=self.desk, warehouse=warehouse, product=product, delta=-product.pack_size, reason="搬运破损报废"
        )
