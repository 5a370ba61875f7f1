# Varnish in front of Newsroom (Debian packages `varnish` and `varnish-modules`).
#
# Pages are cached for their `s-maxage` and purged by surrogate key: Django names the
# objects a page shows in its `xkey` header, and after saving an object it sends
# `PURGE /` with `xkey-purge: <keys>` here (FRONTEND_CACHE_URLS=http://<this host>/).
# Staff (session cookie), the admin, previews and share links always go to Django.
vcl 4.1;

import xkey;

backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
}

acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Purging is not allowed from " + client.ip));
        }
        if (req.http.xkey-purge) {
            set req.http.x-purged = xkey.purge(req.http.xkey-purge);
            return (synth(200, "Purged " + req.http.x-purged + " objects"));
        }
        return (purge);
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.url ~ "^/(admin|shared)/") {
        return (pass);
    }
    if (req.http.Cookie ~ "(^|;\s*)sessionid=") {
        return (pass);
    }
    # Readers' pages do not depend on cookies; dropping them lets every reader share
    # one cached copy.
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    if (beresp.status != 200 && beresp.status != 301) {
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }
    if (beresp.http.Cache-Control ~ "(private|no-store|no-cache)" || beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Varnish-Cache = "HIT";
    } else {
        set resp.http.X-Varnish-Cache = "MISS";
    }
    # The keys are for caches, not for readers.
    unset resp.http.xkey;
}
