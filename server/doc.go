// Command server serves the claim classifier over gRPC and, through
// grpc-gateway, over REST/JSON. See the README for flags and routes.
package main
