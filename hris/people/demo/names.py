"""Word lists for realistic demo people: Chinese names, mobile prefixes, ID region codes.

Everything here is fictitious; the region codes are real county-level codes so the
ID numbers look like the ones HR actually types in.
"""

from __future__ import annotations

# Surnames with a rough weight (share of the population, per mille), most common first.
SURNAMES: tuple[tuple[str, int], ...] = (
    ("王", 72), ("李", 72), ("张", 69), ("刘", 54), ("陈", 46), ("杨", 32), ("黄", 23), ("赵", 22),
    ("吴", 21), ("周", 20), ("徐", 17), ("孙", 15), ("马", 15), ("朱", 14), ("胡", 13), ("郭", 12),
    ("何", 12), ("高", 11), ("林", 11), ("罗", 10), ("郑", 10), ("梁", 9), ("谢", 8), ("宋", 7),
    ("唐", 7), ("许", 7), ("韩", 7), ("冯", 6), ("邓", 6), ("曹", 6), ("彭", 6), ("曾", 6),
    ("肖", 6), ("田", 5), ("董", 5), ("袁", 5), ("潘", 5), ("于", 5), ("蒋", 5), ("蔡", 5),
    ("余", 5), ("杜", 5), ("叶", 5), ("程", 5), ("苏", 4), ("魏", 4), ("吕", 4), ("丁", 4),
    ("任", 4), ("沈", 4), ("姚", 4), ("卢", 4), ("姜", 4), ("崔", 4), ("钟", 4), ("谭", 3),
    ("陆", 3), ("汪", 3), ("范", 3), ("金", 3), ("石", 3), ("廖", 3), ("贾", 3), ("夏", 3),
    ("韦", 3), ("付", 3), ("方", 3), ("白", 3), ("邹", 3), ("孟", 3), ("熊", 3), ("秦", 3),
    ("邱", 3), ("江", 3), ("尹", 3), ("薛", 2), ("闫", 2), ("段", 2), ("雷", 2), ("侯", 2),
    ("龙", 2), ("史", 2), ("陶", 2), ("黎", 2), ("贺", 2), ("顾", 2), ("毛", 2), ("郝", 2),
    ("龚", 2), ("邵", 2), ("万", 2), ("钱", 2), ("严", 2), ("武", 2), ("戴", 2), ("孔", 1),
    ("向", 1), ("汤", 1), ("常", 1), ("葛", 1), ("俞", 1), ("施", 1), ("欧阳", 1), ("上官", 1),
)

# Given names: single characters and the two halves of two-character names, by gender.
MALE_SINGLE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林阳亮峰锋彬坤昊晨"
MALE_FIRST = "建志国文海晓俊宇浩子振永德立春明天家宏云新世鹏金昊嘉博思泽晨一逸梓书敬学雨光"
MALE_SECOND = "国华强明军伟杰平东林峰涛波辉刚龙飞斌磊鑫宇洋博轩然航成亮军坤豪翔鸣凡阳彬庆生"
FEMALE_SINGLE = "芳娜敏静丽艳娟霞燕玲婷雪慧莹倩琳颖洁欣佳晶梅红萍丹蕾蓉薇璐瑶琪楠"
FEMALE_FIRST = "秀桂丽晓雅思欣梓诗佳雨婉美玉春小淑文若紫可嘉静慧梦忆语心子海亚"
FEMALE_SECOND = "英兰华燕婷雨怡涵琪萱清芳娟敏霞玲丽红洁琳颖静慧莉萍妍瑶倩菲媛月"

# English names some sales staff use with overseas customers.
ENGLISH_NAMES_MALE = ("Kevin", "Jason", "Eric", "Leo", "Tony", "Frank", "David", "Michael", "Peter", "Jack")
ENGLISH_NAMES_FEMALE = ("Amy", "Linda", "Grace", "Cindy", "Vivian", "Iris", "Sophie", "Emma", "Helen", "Joyce")

# Mainland mobile prefixes in common use (China Mobile, Unicom, Telecom).
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
    "156", "157", "158", "159", "166", "173", "176", "177", "180", "181", "182", "183", "186", "187", "188",
    "189", "191", "198", "199",
)

# County-level administrative division codes (GB/T 2260), the first six digits of an ID number.
# Plant workers come from Suzhou and from the usual home provinces of factory workers in
# southern Jiangsu; head-office staff more often from Shanghai, Jiangsu and Zhejiang.
REGIONS_LOCAL_PLANT = ("320505", "320506", "320507", "320508", "320509", "320581", "320582", "320583", "320585")
REGIONS_LOCAL_HQ = ("310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112", "310113", "310115")
REGIONS_NEARBY = ("320102", "320106", "320211", "320402", "320321", "320322", "320324", "320826", "320830", "320922",
                  "320923", "321323", "321324", "330106", "330203", "330302", "330681")
REGIONS_INLAND = (
    "340104", "341221", "341222", "341226", "341621", "341623", "340822",  # 安徽
    "411522", "411524", "412723", "411721", "410922",  # 河南
    "510722", "511321", "511623",  # 四川
    "522422", "522426",  # 贵州
    "421125", "421127",  # 湖北
    "430524", "431021",  # 湖南
    "360124", "361025",  # 江西
    "371327", "620523", "500101", "500233",  # 山东 甘肃 重庆
)
