from app.demo.accounts import *  # noqa
