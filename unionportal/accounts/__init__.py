"""Sign-in, sessions and two-factor: brute-force lockout (django-axes), the sign-in event
table, idle and absolute session limits, and TOTP codes (django-otp)."""
