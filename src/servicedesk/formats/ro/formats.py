# "N" is the abbreviated month and "E" the month's name in a date; their Romanian (lower case:
# "dec.", "mai", "decembrie") is in our catalogue, see servicedesk/formats/ro/months.py.
DATE_FORMAT = "j N Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j N Y, H:i"
SHORT_DATE_FORMAT = "j N Y"
SHORT_DATETIME_FORMAT = "j N Y, H:i"
MONTH_DAY_FORMAT = "j N"
YEAR_MONTH_FORMAT = "E Y"
FIRST_DAY_OF_WEEK = 1
