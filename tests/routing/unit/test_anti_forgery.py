"""验伪码: derived from the 受理回执号 with an HMAC of SECRET_KEY — the same every time, checkable later, and
different under another key."""

from django.test import SimpleTestCase, override_settings

from routing.anti_forgery import LENGTH, anti_forgery_code, anti_forgery_valid


class AntiForgeryCodeTests(SimpleTestCase):
    def test_the_code_is_twelve_unambiguous_characters_and_deterministic(self):
        code = anti_forgery_code("2201091444546597")
        self.assertEqual(len(code), LENGTH)
        self.assertEqual(code, anti_forgery_code("2201091444546597"))
        self.assertFalse(set(code) & set("01IO"))

    def test_a_code_is_verified_against_its_receipt_number_only(self):
        code = anti_forgery_code("2201091444546597")
        self.assertTrue(anti_forgery_valid("2201091444546597", code))
        self.assertTrue(anti_forgery_valid("2201091444546597", f" {code.lower()} "))
        self.assertFalse(anti_forgery_valid("2201091444546598", code))
        self.assertFalse(anti_forgery_valid("2201091444546597", ""))

    def test_another_secret_key_gives_another_code(self):
        code = anti_forgery_code("2201091444546597")
        with override_settings(SECRET_KEY="another-secret-key-for-this-test-only-0123456789"):
            self.assertNotEqual(anti_forgery_code("2201091444546597"), code)
