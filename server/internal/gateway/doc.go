// Package gateway serves the HTTP side of the server: the REST/JSON API
// through grpc-gateway, the OpenAPI document, health and Prometheus
// metrics. It bounds request bodies before they are decoded, applies the
// CORS policy, refuses cross-origin browser requests that change state
// (CSRF) and, on a loopback listener, requests for other hosts (DNS
// rebinding).
package gateway
