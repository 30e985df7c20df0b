/*
 * jsonutil.c: json-c helpers; every constructor checks for NULL once here.
 */
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
