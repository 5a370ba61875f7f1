# Varnish in front of Newsroom (Debian packages `varnish` and `varnish-modules`).
#
# Pages are cached for their `s-maxage` and purged by surrogate key: Django names the
# objects a page shows in its `xkey` header, and after saving an object it sends
# `PURGE /` with `xkey-purge: <keys>` here (FRONTEND_CACHE_URLS=http://<this host>/).
# A donation sends `xkey-softpurge` instead: its objects (the appeal box) expire but stay
# in grace, so readers get the old box while one fetch brings the new one, rather than
# every page waiting on that fetch.
# Staff (session cookie), the admin, previews and share links always go to Django.
#
# The appeal box is an ESI include of its own address (/fragments/appeal-box/…), cached
# here under the appeal's keys only: a donation purges the box and no page. Varnish says
# it does ESI in Surrogate-Capability; Django marks a page holding includes with
# `Surrogate-Control: content="ESI/1.0"` and stitches the box in itself for anyone else.
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
        if (req.http.xkey-softpurge) {
            set req.http.x-purged = xkey.softpurge(req.http.xkey-softpurge);
            return (synth(200, "Soft-purged " + req.http.x-purged + " objects"));
        }
        return (purge);
    }
    # Set here, never taken from the client.
    set req.http.Surrogate-Capability = "varnish=ESI/1.0";
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
    if (beresp.http.Surrogate-Control ~ "ESI/1.0") {
        unset beresp.http.Surrogate-Control;
        set beresp.do_esi = true;
        # Django's ETag and length are of the page with its includes, not of what a
        # reader gets: a 304 must never answer for a box that has changed since.
        unset beresp.http.ETag;
        unset beresp.http.Last-Modified;
    }
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
