c2s_ports = { 15222, 15223 } -- first one probed
s2s_ports = { 15269 }
interfaces = { "127.0.0.2" }
s2s_interfaces = { '127.0.0.3' }
certificates = "/etc/ssl/xmpp"
ssl = { certificate = "/x/a.crt"; key = '/x/a.key'; cafile = "/x/ca.pem" }
-- VirtualHost "commented.example"
VirtualHost "example.org"
  ssl = { certificate = "/x/example.org.crt"; key = "/x/example.org.key" }
Component "conference.example.org" "muc"
Include "conf.d/*.cfg.lua"
--8<--
VirtualHost 'other.example'
Component 'upload.other.example' 'http_file_share'
