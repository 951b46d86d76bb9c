# Canadian government style: "October 3, 2023", not Django's "Oct. 3, 2023".
DATE_FORMAT = "F j, Y"
SHORT_DATE_FORMAT = "Y-m-d"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
