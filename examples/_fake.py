"""Fake people and the many spellings a typist uses, for examples/generate.py.

Nothing here is real personal data: names are drawn from common surnames and given-name
characters, phone numbers are 13800000000 plus an offset, ID numbers are masked or made up.
"""
from __future__ import annotations

import datetime as dt
from typing import NamedTuple

SURNAMES = ("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
            "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段")
GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏宇浩欣怡婷雪琳晨思雨佳子梓涵"
         "博文轩一诺嘉泽瑞晓春海波宁鑫悦颖倩昊然俊凯亮彤蕾璐阳帆")
# Foreign students: nationality (as typed in 国籍) and name parts. Combinations are made up.
FOREIGN = (
    ("韩国", ("Minji", "Jiwoo", "Seoyeon", "Hyun", "Jisoo"), ("Kim", "Park", "Choi", "Jung")),
    ("日本", ("Yuki", "Haruto", "Sora", "Aoi", "Ren"), ("Tanaka", "Sato", "Ito", "Kato")),
    ("俄罗斯", ("Anna", "Ivan", "Olga", "Pavel"), ("Sokolov", "Popov", "Volkov")),
    ("泰国", ("Nicha", "Somchai", "Kanya"), ("Srisuk", "Chaiyo", "Boonmee")),
    ("意大利", ("Luca", "Giulia", "Marco"), ("Rossi", "Bianchi", "Conti")),
    ("蒙古国", ("Saran", "Enkh", "Bat"), ("Dorj", "Bold", "Gan")),
)
CAMPUS_CITY = "滨海市"   # a made-up city for the made-up campus
CAMPUS_PROVINCE = "shandong"
KEY_PROVINCE = "hubei"   # the key epidemic area of February 2020
CITIES = {
    "hubei": ("武汉", "宜昌", "孝感", "黄冈", "襄阳"), "shandong": (CAMPUS_CITY, "济南", "青岛", "烟台"),
    "beijing": ("北京",), "shanghai": ("上海",), "liaoning": ("沈阳", "大连"), "henan": ("郑州", "洛阳"),
    "jiangsu": ("南京", "苏州"), "zhejiang": ("杭州", "宁波"), "guangdong": ("广州", "深圳"),
    "hebei": ("石家庄", "保定"), "sichuan": ("成都",), "heilongjiang": ("哈尔滨",), "jilin": ("长春",),
}
MAJORS = {
    "english": ("英语", "翻译", "商务英语"), "japanese": ("日语", "商务日语"), "korean": ("朝鲜语",),
    "chinese": ("汉语国际教育", "汉语言"), "business": ("国际经济与贸易", "工商管理", "会计学"),
}
DONORS = {
    "alumni": ("{year}届校友{name}", "上海校友会", "深圳校友会", "北京校友会", "匿名"),
    "partner": ("首尔示例大学", "大阪示例外国语大学", "莫斯科示例语言大学", "曼谷示例大学"),
    "confucius": ("示例孔子学院（釜山）", "示例孔子学院（新西伯利亚）", "示例孔子学院（清迈）"),
    "other_donation": ("滨海市示例贸易公司", "匿名", "家长志愿者"),
    "allocation": ("省教育厅", "市卫健委"),
}
INSTRUCTIONS = (
    "填表说明 / How to fill in these sheets",
    "1. 每个单位每天10:00前填报《单位日报》，没有情况也要填“零报告”。",
    "   Every unit fills in the daily report by 10:00; a day with nothing to report is a zero report.",
    "2. 日期写成 2020-02-11；是/否 栏填“是”或“否”；体温填数字，如 36.5。",
    "   Dates like 2020-02-11; yes/no columns 是 or 否; temperatures as numbers such as 36.5.",
    "3. 不要改动表头，不要合并单元格。Do not change the headers or merge cells.",
    "4. 本页只是说明，程序不读取。This tab is instructions only; the program ignores it.",
)


class XDate(NamedTuple):
    """A cell that is a real date (or date-time) in the xlsx and plain text in a CSV."""
    value: dt.datetime
    text: str
    kind: str  # "date" or "datetime"


class Fake:
    """Names, phones and value spellings, all drawn from one random.Random."""

    def __init__(self, rng, real_dates=True):
        self.rng = rng
        self.real_dates = real_dates

    def name(self) -> str:
        r = self.rng
        return r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(1 if r.random() < 0.35 else 2))

    def foreign(self) -> tuple[str, str]:
        nationality, given, family = self.rng.choice(FOREIGN)
        return nationality, f"{self.rng.choice(given)} {self.rng.choice(family)}"

    @staticmethod
    def phone(offset: int, base: int = 13800000000) -> str:
        return str(base + offset)

    def masked_id(self) -> str:
        """A visitor's ID card number as gate posts write it: masked in the middle."""
        return f"{self.rng.choice(('370', '110', '210', '420', '320'))}{self.rng.randint(100, 999)}********{self.rng.randint(0, 9999):04d}"

    # --- spellings a parser must accept -----------------------------------------------------
    def date(self, d: dt.date, real=0.1):
        r = self.rng.random()
        if r < 0.1:
            return f"{d.year}/{d.month}/{d.day}"
        if r < 0.16:
            return f"{d.year}年{d.month}月{d.day}日"
        if r < 0.16 + real and self.real_dates:
            return XDate(dt.datetime(d.year, d.month, d.day), d.isoformat(), "date")
        return d.isoformat()

    def time(self, h: int, m: int) -> str:
        return f"{h}点{m}分" if self.rng.random() < 0.08 else f"{h:02d}:{m:02d}"

    def datetime(self, d: dt.date, h: int, m: int, real=0.1):
        r = self.rng.random()
        if r < 0.06:
            return f"{d.year}/{d.month}/{d.day} {h}:{m:02d}:00"
        if r < 0.1:
            return f"{d.year}年{d.month}月{d.day}日 {h}点{m}分"
        if r < 0.1 + real and self.real_dates:
            return XDate(dt.datetime(d.year, d.month, d.day, h, m), f"{d.isoformat()} {h:02d}:{m:02d}", "datetime")
        return f"{d.isoformat()} {h:02d}:{m:02d}"

    def boolean(self, value: bool) -> str:
        if self.rng.random() < 0.06:
            return "Y" if value else "N"
        return "是" if value else "否"

    def ref(self, item: dict, en=0.06, ident=0.04) -> str:
        """A reference list item as typed: mostly its Chinese name, sometimes English or the id."""
        r = self.rng.random()
        if r < en:
            return item["en"]
        if r < en + ident:
            return item["id"]
        return item["zh"]

    def province(self, item: dict) -> str:
        r = self.rng.random()
        if r < 0.6:
            return item["zh"]
        if r < 0.88 and item.get("aliases"):
            return item["aliases"][0]
        return item["en"]

    def temperature(self, low=36.0, high=37.1, unit=0.05):
        value = round(self.rng.uniform(low, high), 1)
        return f"{value}℃" if self.rng.random() < unit else value
