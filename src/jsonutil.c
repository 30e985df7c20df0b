/*
 * jsonutil.c: json-c helpers; every constructor checks for NULL once here.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "jsonutil.h"

static json_object *
checked(json_object *o)
{
	if (o == NULL)
		oom();
	return o;
}

json_object *
jobj(void)
{
	return checked(json_object_new_object());
}

json_object *
jarr(void)
{
	return checked(json_object_new_array());
}

json_object *
jstr(const char *s)
{
	return s == NULL ? NULL : checked(json_object_new_string(s));
}

json_object *
jbool(int b)
{
	return checked(json_object_new_boolean(b != 0));
}

json_object *
jint(int64_t v)
{
	return checked(json_object_new_int64(v));
}

void
jset(json_object *obj, const char *key, json_object *val)
{
	if (json_object_object_add(obj, key, val) != 0)
		oom();
}

const char *
jget_str(json_object *obj, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

char *
iso_time_ms(struct arena *a, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	return arena_printf(a, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

/*
 * Whether s[0..n) is well-formed UTF-8: no overlong forms, no surrogates,
 * nothing above U+10FFFF. On success *chars is the number of characters.
 */
int
utf8_valid(const unsigned char *s, size_t n, size_t *chars)
{
	size_t i = 0, k, len;
	uint32_t c, min;

	*chars = 0;
	while (i < n) {
		c = s[i];
		if (c < 0x80) {
			len = 1;
			min = 0;
		} else if ((c & 0xe0) == 0xc0) {
			len = 2;
			c &= 0x1f;
			min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			len = 3;
			c &= 0x0f;
			min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			len = 4;
			c &= 0x07;
			min = 0x10000;
		} else
			return 0;
		if (len > n - i)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			c = (c << 6) | (s[i + k] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return 0;
		i += len;
		(*chars)++;
	}
	return 1;
}

bool
json_text_valid(json_object *o)
{
	const char *s;
	size_t chars, n, i;

	switch (json_object_get_type(o)) {
	case json_type_string:
		s = json_object_get_string(o);
		n = (size_t)json_object_get_string_len(o);
		return memchr(s, '\0', n) == NULL &&
		    utf8_valid((const unsigned char *)s, n, &chars);
	case json_type_array:
		for (i = 0; i < json_object_array_length(o); i++)
			if (!json_text_valid(json_object_array_get_idx(o, i)))
				return false;
		return true;
	case json_type_object: {
		json_object_object_foreach(o, key, val) {
			if (!utf8_valid((const unsigned char *)key, strlen(key),
			    &chars) || !json_text_valid(val))
				return false;
		}
		return true;
	}
	default:
		return true;
	}
}
