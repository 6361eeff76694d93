-- A verified member changing the phone number: the code goes to the new number, and the number changes
-- only when that code comes back. NULL marks the sign-up verification of the member's own number.
ALTER TABLE phone_verification ADD COLUMN new_phone TEXT CHECK (new_phone ~ '^\+[1-9][0-9]{6,14}$');
