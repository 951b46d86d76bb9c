# "3 octobre 2023"; numbers as "1 234" with a no-break space.
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "Y-m-d"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
