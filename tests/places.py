"""Hand-checked places in and near Ukraine: (name, lon, lat, country, admin1_iso).

Coordinates are city centres (or the named site) from the project's own knowledge, checked
against each other on a map; ``admin1_iso`` is the ISO 3166-2 code of the unit the place
belongs to (None outside Ukraine). Used by ``tests/test_countries.py``.
"""

PLACES = [
    # oblast centres and the three cities with special status
    ("Kyiv", 30.5234, 50.4501, "UA", "UA-30"),
    ("Vinnytsia", 28.4682, 49.2331, "UA", "UA-05"),
    ("Lutsk", 25.3254, 50.7472, "UA", "UA-07"),
    ("Dnipro", 35.0462, 48.4647, "UA", "UA-12"),
    ("Donetsk", 37.8028, 48.0159, "UA", "UA-14"),
    ("Zhytomyr", 28.6587, 50.2547, "UA", "UA-18"),
    ("Uzhhorod", 22.2879, 48.6208, "UA", "UA-21"),
    ("Zaporizhzhia", 35.1396, 47.8388, "UA", "UA-23"),
    ("Ivano-Frankivsk", 24.7111, 48.9226, "UA", "UA-26"),
    ("Kropyvnytskyi", 32.2623, 48.5079, "UA", "UA-35"),
    ("Luhansk", 39.3078, 48.5740, "UA", "UA-09"),
    ("Lviv", 24.0297, 49.8397, "UA", "UA-46"),
    ("Mykolaiv", 31.9946, 46.9750, "UA", "UA-48"),
    ("Odesa", 30.7233, 46.4825, "UA", "UA-51"),
    ("Poltava", 34.5514, 49.5883, "UA", "UA-53"),
    ("Rivne", 26.2516, 50.6199, "UA", "UA-56"),
    ("Sumy", 34.7981, 50.9077, "UA", "UA-59"),
    ("Ternopil", 25.5948, 49.5535, "UA", "UA-61"),
    ("Kharkiv", 36.2304, 49.9935, "UA", "UA-63"),
    ("Kherson (centre)", 32.6169, 46.6354, "UA", "UA-65"),
    ("Khmelnytskyi", 26.9871, 49.4229, "UA", "UA-68"),
    ("Cherkasy", 32.0598, 49.4444, "UA", "UA-71"),
    ("Chernihiv", 31.2893, 51.4982, "UA", "UA-74"),
    ("Chernivtsi", 25.9358, 48.2921, "UA", "UA-77"),
    ("Simferopol", 34.1024, 44.9521, "UA", "UA-43"),
    ("Sevastopol", 33.5254, 44.6166, "UA", "UA-40"),
    # Kyiv suburbs (Kyiv Oblast, not the city)
    ("Irpin", 30.2506, 50.5218, "UA", "UA-32"),
    ("Bucha", 30.2208, 50.5436, "UA", "UA-32"),
    ("Vyshhorod", 30.4897, 50.5850, "UA", "UA-32"),
    ("Brovary", 30.7909, 50.5110, "UA", "UA-32"),
    ("Boryspil", 30.9550, 50.3527, "UA", "UA-32"),
    # coast, ports, Danube, Crimea
    ("Odesa port", 30.7480, 46.4950, "UA", "UA-51"),
    ("Mariupol", 37.5434, 47.0971, "UA", "UA-14"),
    ("Berdiansk", 36.7885, 46.7553, "UA", "UA-23"),
    ("Izmail", 28.8365, 45.3516, "UA", "UA-51"),
    ("Vylkove", 29.5850, 45.4040, "UA", "UA-51"),
    ("Snake Island", 30.2036, 45.2553, "UA", "UA-51"),
    ("Kerch", 36.4681, 45.3563, "UA", "UA-43"),
    ("Yalta", 34.1663, 44.4952, "UA", "UA-43"),
    ("Melitopol", 35.3653, 46.8489, "UA", "UA-23"),
    ("Kramatorsk", 37.5848, 48.7389, "UA", "UA-14"),
    # neighbouring states
    ("Przewodów", 23.9340, 50.4706, "PL", None),
    ("Rzeszów", 21.9991, 50.0412, "PL", None),
    ("Belgorod", 36.5983, 50.5997, "RU", None),
    ("Kursk", 36.1926, 51.7304, "RU", None),
    ("Bryansk", 34.3634, 53.2434, "RU", None),
    ("Rostov-on-Don", 39.7015, 47.2357, "RU", None),
    ("Taganrog", 38.8969, 47.2362, "RU", None),
    ("Novorossiysk", 37.7689, 44.7239, "RU", None),
    ("Mozyr", 29.2456, 52.0495, "BY", None),
    ("Gomel", 30.9878, 52.4412, "BY", None),
    ("Brest (Belarus)", 23.7341, 52.0976, "BY", None),
    ("Chisinau", 28.8638, 47.0105, "MD", None),
    ("Tiraspol", 29.6433, 46.8403, "MD", None),
    ("Suceava", 26.2556, 47.6514, "RO", None),
    ("Tulcea", 28.7914, 45.1716, "RO", None),
    ("Košice", 21.2611, 48.7164, "SK", None),
    ("Debrecen", 21.6273, 47.5316, "HU", None),
    # water
    ("Black Sea, 2 km off Odesa", 30.79, 46.46, "UA", "UA-51"),
    ("Black Sea, middle", 33.0, 43.5, "sea", None),
]
